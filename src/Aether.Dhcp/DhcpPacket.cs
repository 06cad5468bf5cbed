using System.Buffers.Binary;
using Aether.Dhcp.Internal;

namespace Aether.Dhcp;

/// <summary>
/// A zero-copy view of a validated DHCPv4 message (RFC 2131 section 2). Options are read in place; the
/// aggregate option buffer is the options field, then the file field, then the sname field when option 52
/// overloads them (RFC 3396 section 7).
/// </summary>
public readonly ref struct DhcpPacket
{
    /// <summary>The options field, then file and sname when overloaded (RFC 3396 section 7).</summary>
    internal const int AreaCount = 3;

    private readonly ReadOnlySpan<byte> _raw;
    private readonly byte _overload;
    private readonly DhcpMessageType _messageType;

    private DhcpPacket(ReadOnlySpan<byte> raw, byte overload, DhcpMessageType messageType)
    {
        _raw = raw;
        _overload = overload;
        _messageType = messageType;
    }

    /// <summary>The BOOTP message bytes, as passed to <see cref="TryParse"/>.</summary>
    public ReadOnlySpan<byte> Raw => _raw;

    public byte Op => _raw.IsEmpty ? (byte)0 : _raw[BootpLayout.OpOffset];

    public bool IsRequest => Op == BootpLayout.BootRequest;

    public bool IsReply => Op == BootpLayout.BootReply;

    public byte HardwareType => _raw.IsEmpty ? (byte)0 : _raw[BootpLayout.HardwareTypeOffset];

    public byte HardwareLength => _raw.IsEmpty ? (byte)0 : _raw[BootpLayout.HardwareLengthOffset];

    public byte Hops => _raw.IsEmpty ? (byte)0 : _raw[BootpLayout.HopsOffset];

    public uint TransactionId => _raw.IsEmpty ? 0 : BinaryPrimitives.ReadUInt32BigEndian(_raw[BootpLayout.TransactionIdOffset..]);

    public ushort Seconds => _raw.IsEmpty ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(_raw[BootpLayout.SecondsOffset..]);

    public ushort Flags => _raw.IsEmpty ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(_raw[BootpLayout.FlagsOffset..]);

    /// <summary>The BROADCAST bit of 'flags' (RFC 2131 section 2, figure 2).</summary>
    public bool Broadcast => (Flags & BootpLayout.BroadcastFlag) != 0;

    public Ipv4Address ClientIp => ReadAddress(BootpLayout.ClientIpOffset);

    public Ipv4Address YourIp => ReadAddress(BootpLayout.YourIpOffset);

    public Ipv4Address ServerIp => ReadAddress(BootpLayout.ServerIpOffset);

    public Ipv4Address GatewayIp => ReadAddress(BootpLayout.GatewayIpOffset);

    /// <summary>'chaddr' cut to 'hlen' octets.</summary>
    public ReadOnlySpan<byte> ClientHardwareAddress =>
        _raw.IsEmpty ? default : _raw.Slice(BootpLayout.ClientHardwareAddressOffset, HardwareLength);

    public DhcpMessageType MessageType => _messageType;

    /// <summary>Option 52's value: 0 when absent, else 1 (file), 2 (sname) or 3 (both), RFC 2132 section 9.3.</summary>
    public byte OptionOverload => _overload;

    /// <summary>The 'sname' field, or empty when it carries options (overload 2 or 3).</summary>
    public ReadOnlySpan<byte> ServerNameField =>
        _raw.IsEmpty || (_overload & BootpLayout.OverloadServerName) != 0
            ? default
            : _raw.Slice(BootpLayout.ServerNameOffset, BootpLayout.ServerNameLength);

    /// <summary>The 'file' field, or empty when it carries options (overload 1 or 3).</summary>
    public ReadOnlySpan<byte> BootFileField =>
        _raw.IsEmpty || (_overload & BootpLayout.OverloadFile) != 0
            ? default
            : _raw.Slice(BootpLayout.BootFileOffset, BootpLayout.BootFileLength);

    /// <summary>The first instance of option 82, <c>IsPresent == false</c> when absent. Use
    /// <see cref="TryGetRelayAgentInformation"/> when the option may be split (RFC 3396).</summary>
    public RelayAgentInformation RelayAgentInformation =>
        TryGetOption(DhcpOptionCode.RelayAgentInformation, out var value) ? new RelayAgentInformation(value) : default;

    /// <summary>Validates <paramref name="data"/> as a DHCP message; on success <paramref name="packet"/> views it.</summary>
    public static DhcpParseError TryParse(ReadOnlySpan<byte> data, out DhcpPacket packet) =>
        DhcpPacketParser.TryParse(data, out packet);

    internal static DhcpPacket Create(ReadOnlySpan<byte> raw, byte overload, DhcpMessageType messageType) =>
        new(raw, overload, messageType);

    /// <summary>The first instance of <paramref name="code"/>; the fast path for options that are never split.</summary>
    public bool TryGetOption(byte code, out ReadOnlySpan<byte> value)
    {
        for (int area = 0; area < AreaCount; area++)
        {
            var reader = new OptionReader(GetArea(area));
            while (reader.MoveNext())
            {
                if (reader.Code == code)
                {
                    value = reader.Value;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    /// <summary>
    /// All instances of <paramref name="code"/> concatenated (RFC 3396 section 5). A single instance is returned in
    /// place; several are copied into <paramref name="scratch"/>. False when absent or when scratch is too small
    /// (see <see cref="GetOptionLength"/>).
    /// </summary>
    public bool TryGetOption(byte code, Span<byte> scratch, out ReadOnlySpan<byte> value)
    {
        value = default;
        int instances = 0;
        int total = 0;
        ReadOnlySpan<byte> first = default;
        for (int area = 0; area < AreaCount; area++)
        {
            var reader = new OptionReader(GetArea(area));
            while (reader.MoveNext())
            {
                if (reader.Code != code)
                {
                    continue;
                }

                if (instances == 0)
                {
                    first = reader.Value;
                }
                else
                {
                    if (instances == 1)
                    {
                        if (first.Length > scratch.Length)
                        {
                            return false;
                        }

                        first.CopyTo(scratch);
                    }

                    if (reader.Value.Length > scratch.Length - total)
                    {
                        return false;
                    }

                    reader.Value.CopyTo(scratch[total..]);
                }

                instances++;
                total += reader.Value.Length;
            }
        }

        if (instances == 0)
        {
            return false;
        }

        value = instances == 1 ? first : scratch[..total];
        return true;
    }

    /// <summary>Length of <paramref name="code"/>'s value with all instances concatenated; -1 when absent.</summary>
    public int GetOptionLength(byte code)
    {
        int total = -1;
        for (int area = 0; area < AreaCount; area++)
        {
            var reader = new OptionReader(GetArea(area));
            while (reader.MoveNext())
            {
                if (reader.Code == code)
                {
                    total = total < 0 ? reader.Value.Length : total + reader.Value.Length;
                }
            }
        }

        return total;
    }

    /// <summary>Number of instances of <paramref name="code"/> across all option areas.</summary>
    public int CountOption(byte code)
    {
        int count = 0;
        for (int area = 0; area < AreaCount; area++)
        {
            var reader = new OptionReader(GetArea(area));
            while (reader.MoveNext())
            {
                if (reader.Code == code)
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>An option holding exactly one IPv4 address (e.g. 50, 54, 118).</summary>
    public bool TryGetIpv4Option(byte code, out Ipv4Address value)
    {
        if (TryGetOption(code, out var bytes) && bytes.Length == Ipv4Address.Length)
        {
            value = Ipv4Address.Read(bytes);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>An option holding one network-order 32-bit value (e.g. 51, 58, 59).</summary>
    public bool TryGetUInt32Option(byte code, out uint value)
    {
        if (TryGetOption(code, out var bytes) && bytes.Length == sizeof(uint))
        {
            value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>An option holding one network-order 16-bit value (e.g. 57).</summary>
    public bool TryGetUInt16Option(byte code, out ushort value)
    {
        if (TryGetOption(code, out var bytes) && bytes.Length == sizeof(ushort))
        {
            value = BinaryPrimitives.ReadUInt16BigEndian(bytes);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Option 82 with split instances concatenated into <paramref name="scratch"/> (RFC 3396).</summary>
    public bool TryGetRelayAgentInformation(Span<byte> scratch, out RelayAgentInformation information)
    {
        if (TryGetOption(DhcpOptionCode.RelayAgentInformation, scratch, out var value))
        {
            information = new RelayAgentInformation(value);
            return true;
        }

        information = default;
        return false;
    }

    /// <summary>Area 0 is the options field, 1 the file field and 2 the sname field (RFC 3396 section 7 order);
    /// an area not overloaded is empty.</summary>
    internal ReadOnlySpan<byte> GetArea(int area)
    {
        if (_raw.IsEmpty)
        {
            return default;
        }

        return area switch
        {
            0 => _raw[BootpLayout.OptionsOffset..],
            1 when (_overload & BootpLayout.OverloadFile) != 0 => _raw.Slice(BootpLayout.BootFileOffset, BootpLayout.BootFileLength),
            2 when (_overload & BootpLayout.OverloadServerName) != 0 => _raw.Slice(BootpLayout.ServerNameOffset, BootpLayout.ServerNameLength),
            _ => default,
        };
    }

    private Ipv4Address ReadAddress(int offset) => _raw.IsEmpty ? default : Ipv4Address.Read(_raw[offset..]);
}
