using System.Buffers.Binary;
using System.Text;
using Aether.Dhcp.Internal;

namespace Aether.Dhcp;

public sealed partial class DhcpMessage
{
    // RFC 2132 section 9.3: option 52 is code, length 1, value.
    private const int OverloadOptionLength = 3;
    private const int EndLength = 1;

    /// <summary>The length <see cref="WriteTo"/> will write, padded to the 300-octet BOOTP minimum (RFC 1542 section 2.1).</summary>
    public int GetLength() => Layout().Length;

    public byte[] ToArray()
    {
        var bytes = new byte[GetLength()];
        _ = WriteTo(bytes);
        return bytes;
    }

    /// <summary>
    /// Writes the message and returns its length. Options go in list order, option 82 last (RFC 3046 section 2.1);
    /// values over 255 octets become several instances (RFC 3396). Throws <see cref="ArgumentException"/> when
    /// <paramref name="destination"/> is too small and <see cref="InvalidOperationException"/> for a message that
    /// cannot be encoded.
    /// </summary>
    public int WriteTo(Span<byte> destination)
    {
        var layout = Layout();
        if (destination.Length < layout.Length)
        {
            throw new ArgumentException($"The message needs {layout.Length} octets; the destination has {destination.Length}.", nameof(destination));
        }

        var message = destination[..layout.Length];
        message.Clear();
        message[BootpLayout.OpOffset] = Op;
        message[BootpLayout.HardwareTypeOffset] = HardwareType;
        message[BootpLayout.HardwareLengthOffset] = (byte)ClientHardwareAddress.Length;
        message[BootpLayout.HopsOffset] = Hops;
        BinaryPrimitives.WriteUInt32BigEndian(message[BootpLayout.TransactionIdOffset..], TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(message[BootpLayout.SecondsOffset..], Seconds);
        BinaryPrimitives.WriteUInt16BigEndian(message[BootpLayout.FlagsOffset..], Flags);
        ClientIp.Write(message[BootpLayout.ClientIpOffset..]);
        YourIp.Write(message[BootpLayout.YourIpOffset..]);
        ServerIp.Write(message[BootpLayout.ServerIpOffset..]);
        GatewayIp.Write(message[BootpLayout.GatewayIpOffset..]);
        ClientHardwareAddress.CopyTo(message[BootpLayout.ClientHardwareAddressOffset..]);
        WriteString(ServerName, message.Slice(BootpLayout.ServerNameOffset, BootpLayout.ServerNameLength));
        WriteString(BootFile, message.Slice(BootpLayout.BootFileOffset, BootpLayout.BootFileLength));
        BinaryPrimitives.WriteUInt32BigEndian(message[BootpLayout.MagicCookieOffset..], BootpLayout.MagicCookie);

        var areas = new OptionArea[]
        {
            new(BootpLayout.OptionsOffset, layout.OptionsCapacity),
            new(BootpLayout.BootFileOffset, (layout.Overload & BootpLayout.OverloadFile) != 0 ? BootpLayout.BootFileLength - EndLength : 0),
            new(BootpLayout.ServerNameOffset, (layout.Overload & BootpLayout.OverloadServerName) != 0 ? BootpLayout.ServerNameLength - EndLength : 0),
        };
        if (layout.Overload != 0)
        {
            message[areas[0].Position++] = DhcpOptionCode.OptionOverload;
            message[areas[0].Position++] = 1;
            message[areas[0].Position++] = layout.Overload;
        }

        int area = 0;
        foreach (var option in OrderedOptions())
        {
            if (!TryPlace(message, areas, ref area, option))
            {
                throw new InvalidOperationException("The layout was computed to fit; the options changed while writing.");
            }
        }

        // RFC 2132 section 9.3: each overloaded field is processed as options and ends with End.
        message[areas[0].Position] = DhcpOptionCode.End;
        for (int i = 1; i < areas.Length; i++)
        {
            if (areas[i].Capacity > 0)
            {
                message[areas[i].Position] = DhcpOptionCode.End;
            }
        }

        return layout.Length;
    }

    private IEnumerable<DhcpOption> OrderedOptions() =>
        Options.Where(o => o.Code != DhcpOptionCode.RelayAgentInformation)
            .Concat(Options.Where(o => o.Code == DhcpOptionCode.RelayAgentInformation));

    /// <summary>Places one logical option from <paramref name="area"/> on, moving to the next area when it does not
    /// fit; only values over 255 octets (already split, RFC 3396) are also split across areas.</summary>
    private static bool TryPlace(Span<byte> message, OptionArea[] areas, ref int area, DhcpOption option)
    {
        ReadOnlySpan<byte> value = option.Value;
        bool splittable = value.Length > BootpLayout.MaxOptionValueLength;
        do
        {
            int chunk = Math.Min(value.Length, BootpLayout.MaxOptionValueLength);
            while (area < areas.Length && areas[area].Free < BootpLayout.OptionHeaderLength + (splittable ? 1 : chunk))
            {
                area++;
            }

            if (area == areas.Length)
            {
                return false;
            }

            var target = areas[area];
            chunk = Math.Min(chunk, target.Free - BootpLayout.OptionHeaderLength);
            if (!message.IsEmpty)
            {
                message[target.Position] = option.Code;
                message[target.Position + 1] = (byte)chunk;
                value[..chunk].CopyTo(message[(target.Position + BootpLayout.OptionHeaderLength)..]);
            }

            target.Position += BootpLayout.OptionHeaderLength + chunk;
            value = value[chunk..];
        }
        while (!value.IsEmpty);

        return true;
    }

    private MessageLayout Layout()
    {
        Validate();
        int optionsLength = 0;
        foreach (var option in Options)
        {
            optionsLength += EncodedLength(option.Value.Length);
        }

        int unbounded = BootpLayout.OptionsOffset + optionsLength + EndLength;
        if (MaxLength is not { } max || unbounded <= max)
        {
            return new MessageLayout(Math.Max(unbounded, BootpLayout.MinimumBootpLength), 0, int.MaxValue);
        }

        // Overload (RFC 2132 section 9.3): 'file' first, then 'sname' (RFC 3396 section 7 aggregate order).
        int capacity = max - BootpLayout.OptionsOffset - EndLength;
        byte overload = 0;
        if (BootFile is null)
        {
            overload |= BootpLayout.OverloadFile;
        }

        if (ServerName is null)
        {
            overload |= BootpLayout.OverloadServerName;
        }

        if (overload == 0 || !FitsWithOverload(capacity, overload, out overload))
        {
            throw new InvalidOperationException($"The options need {optionsLength} octets and do not fit in MaxLength {max}.");
        }

        int length = BootpLayout.OptionsOffset + capacity + EndLength;
        return new MessageLayout(Math.Max(Math.Min(length, unbounded), BootpLayout.MinimumBootpLength), overload, capacity);
    }

    /// <summary>Dry run of <see cref="TryPlace"/> with the areas <paramref name="available"/> allows; reports the
    /// areas actually needed.</summary>
    private bool FitsWithOverload(int optionsCapacity, byte available, out byte needed)
    {
        needed = 0;
        var areas = new OptionArea[]
        {
            new(0, optionsCapacity - OverloadOptionLength),
            new(0, (available & BootpLayout.OverloadFile) != 0 ? BootpLayout.BootFileLength - EndLength : 0),
            new(0, (available & BootpLayout.OverloadServerName) != 0 ? BootpLayout.ServerNameLength - EndLength : 0),
        };
        int area = 0;
        foreach (var option in OrderedOptions())
        {
            if (!TryPlace(default, areas, ref area, option))
            {
                return false;
            }
        }

        if (areas[1].Used > 0)
        {
            needed |= BootpLayout.OverloadFile;
        }

        if (areas[2].Used > 0)
        {
            needed |= BootpLayout.OverloadServerName;
        }

        return true;
    }

    private void Validate()
    {
        if (ClientHardwareAddress.Length > BootpLayout.ClientHardwareAddressLength)
        {
            throw new InvalidOperationException($"chaddr holds at most {BootpLayout.ClientHardwareAddressLength} octets.");
        }

        if (MaxLength is < BootpLayout.MinimumBootpLength)
        {
            throw new InvalidOperationException($"MaxLength must be at least {BootpLayout.MinimumBootpLength}.");
        }

        ValidateString(ServerName, BootpLayout.ServerNameLength, nameof(ServerName));
        ValidateString(BootFile, BootpLayout.BootFileLength, nameof(BootFile));
        foreach (var option in Options)
        {
            if (option.Code is DhcpOptionCode.Pad or DhcpOptionCode.End or DhcpOptionCode.OptionOverload || option.Value is null)
            {
                throw new InvalidOperationException($"Option {option.Code} cannot be listed: Pad, End and Option Overload are framing.");
            }
        }
    }

    private static void ValidateString(string? value, int fieldLength, string name)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length >= fieldLength || value.Any(c => c is '\0' or > (char)byte.MaxValue))
        {
            throw new InvalidOperationException($"{name} must be at most {fieldLength - 1} Latin-1 characters without NUL.");
        }
    }

    private static void WriteString(string? value, Span<byte> field)
    {
        if (value is not null)
        {
            _ = Encoding.Latin1.GetBytes(value, field);
        }
    }

    private static int EncodedLength(int valueLength)
    {
        int instances = Math.Max(1, (valueLength + BootpLayout.MaxOptionValueLength - 1) / BootpLayout.MaxOptionValueLength);
        return valueLength + (instances * BootpLayout.OptionHeaderLength);
    }

    private readonly record struct MessageLayout(int Length, byte Overload, int OptionsCapacity);

    private sealed class OptionArea(int start, int capacity)
    {
        public int Start { get; } = start;

        public int Position { get; set; } = start;

        public int Capacity { get; set; } = capacity;

        public int Used => Position - Start;

        public int Free => Capacity - Used;
    }
}
