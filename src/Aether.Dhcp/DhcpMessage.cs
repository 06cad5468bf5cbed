using System.Text;
using Aether.Dhcp.Internal;

namespace Aether.Dhcp;

/// <summary>
/// A mutable, allocating DHCP message for tests, tools and traffic generation; the data path uses
/// <see cref="DhcpPacket"/> and <see cref="DhcpRelay"/>. <see cref="Options"/> holds logical options: split
/// instances are joined on parse and long values split on write (RFC 3396); option 52 is framing, never listed.
/// </summary>
public sealed partial class DhcpMessage
{
    /// <summary>Ethernet, RFC 1700 hardware type 1.</summary>
    public const byte HardwareTypeEthernet = 1;

    public byte Op { get; set; } = BootpLayout.BootRequest;

    public byte HardwareType { get; set; } = HardwareTypeEthernet;

    public byte Hops { get; set; }

    public uint TransactionId { get; set; }

    public ushort Seconds { get; set; }

    public ushort Flags { get; set; }

    /// <summary>The BROADCAST bit of <see cref="Flags"/> (RFC 2131 section 2, figure 2).</summary>
    public bool Broadcast
    {
        get => (Flags & BootpLayout.BroadcastFlag) != 0;
        set => Flags = value ? (ushort)(Flags | BootpLayout.BroadcastFlag) : (ushort)(Flags & ~BootpLayout.BroadcastFlag);
    }

    public Ipv4Address ClientIp { get; set; }

    public Ipv4Address YourIp { get; set; }

    public Ipv4Address ServerIp { get; set; }

    public Ipv4Address GatewayIp { get; set; }

    /// <summary>'chaddr' cut to 'hlen'; at most 16 octets.</summary>
    public byte[] ClientHardwareAddress { get; set; } = [];

    /// <summary>'sname' as a NUL-terminated string of at most 63 Latin-1 characters; null when empty or overloaded.</summary>
    public string? ServerName { get; set; }

    /// <summary>'file' as a NUL-terminated string of at most 127 Latin-1 characters; null when empty or overloaded.</summary>
    public string? BootFile { get; set; }

    public List<DhcpOption> Options { get; set; } = [];

    /// <summary>
    /// When set, <see cref="WriteTo"/> keeps the message within this many octets by continuing options in 'file'
    /// and then 'sname' (option 52, RFC 2132 section 9.3) when those are unused; e.g. the client's option 57.
    /// </summary>
    public int? MaxLength { get; set; }

    /// <summary>Option 53, read and written through <see cref="Options"/>; setting it puts it first.</summary>
    public DhcpMessageType? MessageType
    {
        get => TryGetOption(DhcpOptionCode.MessageType, out var value) && value.Length == 1 ? (DhcpMessageType)value[0] : null;
        set
        {
            RemoveOption(DhcpOptionCode.MessageType);
            if (value is { } type)
            {
                Options.Insert(0, DhcpOption.FromByte(DhcpOptionCode.MessageType, (byte)type));
            }
        }
    }

    public bool TryGetOption(byte code, out byte[] value)
    {
        foreach (var option in Options)
        {
            if (option.Code == code)
            {
                value = option.Value;
                return true;
            }
        }

        value = [];
        return false;
    }

    /// <summary>Replaces the option with <paramref name="option"/>'s code in place, or appends it.</summary>
    public void SetOption(DhcpOption option)
    {
        int index = Options.FindIndex(o => o.Code == option.Code);
        if (index >= 0)
        {
            Options[index] = option;
        }
        else
        {
            Options.Add(option);
        }
    }

    public bool RemoveOption(byte code) => Options.RemoveAll(o => o.Code == code) > 0;

    /// <summary>Parses and copies a message; throws <see cref="DhcpFormatException"/> carrying the <see cref="DhcpParseError"/>.</summary>
    public static DhcpMessage Parse(ReadOnlySpan<byte> data)
    {
        var error = DhcpPacket.TryParse(data, out var packet);
        if (error != DhcpParseError.None)
        {
            throw new DhcpFormatException(error);
        }

        var message = new DhcpMessage
        {
            Op = packet.Op,
            HardwareType = packet.HardwareType,
            Hops = packet.Hops,
            TransactionId = packet.TransactionId,
            Seconds = packet.Seconds,
            Flags = packet.Flags,
            ClientIp = packet.ClientIp,
            YourIp = packet.YourIp,
            ServerIp = packet.ServerIp,
            GatewayIp = packet.GatewayIp,
            ClientHardwareAddress = packet.ClientHardwareAddress.ToArray(),
            ServerName = ReadString(packet.ServerNameField),
            BootFile = ReadString(packet.BootFileField),
        };

        // Logical options in order of first appearance across the aggregate buffer (RFC 3396 section 7).
        Span<bool> seen = stackalloc bool[byte.MaxValue + 1];
        var scratch = new byte[data.Length];
        for (int area = 0; area < DhcpPacket.AreaCount; area++)
        {
            var reader = new OptionReader(packet.GetArea(area));
            while (reader.MoveNext())
            {
                if (reader.Code == DhcpOptionCode.OptionOverload || seen[reader.Code])
                {
                    continue;
                }

                seen[reader.Code] = true;
                _ = packet.TryGetOption(reader.Code, scratch, out var value);
                message.Options.Add(new DhcpOption(reader.Code, value.ToArray()));
            }
        }

        return message;
    }

    public override string ToString() =>
        $"{(MessageType?.ToString() ?? "BOOTP")} xid={TransactionId:x8} chaddr={Convert.ToHexString(ClientHardwareAddress)} "
        + $"ciaddr={ClientIp} yiaddr={YourIp} siaddr={ServerIp} giaddr={GatewayIp} options={Options.Count}";

    private static string? ReadString(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        var text = end < 0 ? field : field[..end];
        return text.IsEmpty ? null : Encoding.Latin1.GetString(text);
    }
}
