using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Aether.Dhcp;

namespace Aether.Simulator.Load;

/// <summary>
/// How synthetic subscriber <c>n</c> looks on the wire: its MAC (the prefix, then <c>n</c> in the remaining
/// octets) and the Option 82 an access node would insert for it: circuit-id <c>1/&lt;n/4096&gt;/&lt;n%4096&gt;</c>
/// (slot/port/VLAN-like), remote-id naming the node.
/// </summary>
internal sealed class SubscriberPlan
{
    public const int MacLength = 6;

    /// <summary>Subscribers per "slot" in the circuit-id, as 12-bit VLAN ids would give.</summary>
    public const int PortsPerSlot = 4096;

    private readonly byte[] _prefix;
    private readonly byte[] _remoteId;

    public SubscriberPlan(ReadOnlySpan<byte> macPrefix, string remoteId, int firstIndex)
    {
        if (macPrefix.Length is < 1 or > 4)
        {
            throw new ArgumentException("The MAC prefix holds 1 to 4 octets.", nameof(macPrefix));
        }

        if ((macPrefix[0] & 0x01) != 0)
        {
            throw new ArgumentException("The MAC prefix must not set the group (multicast) bit.", nameof(macPrefix));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(firstIndex);
        if (string.IsNullOrEmpty(remoteId) || Encoding.ASCII.GetByteCount(remoteId) > byte.MaxValue)
        {
            throw new ArgumentException("The remote-id holds 1 to 255 octets.", nameof(remoteId));
        }

        _prefix = macPrefix.ToArray();
        RemoteId = remoteId;
        _remoteId = Encoding.ASCII.GetBytes(remoteId);
        FirstIndex = firstIndex;
    }

    public string RemoteId { get; }

    public int FirstIndex { get; }

    /// <summary>How many distinct subscriber numbers the prefix leaves room for.</summary>
    public long Capacity => 1L << (8 * (MacLength - _prefix.Length));

    /// <summary>Subscriber number of the <paramref name="slot"/>-th subscriber of a run.</summary>
    public int Number(int slot) => FirstIndex + slot;

    public void WriteMac(int slot, Span<byte> destination)
    {
        long number = Number(slot);
        if (number >= Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), $"Subscriber {number} does not fit after a {_prefix.Length}-octet MAC prefix.");
        }

        _prefix.CopyTo(destination);
        Span<byte> suffix = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64BigEndian(suffix, (ulong)number);
        suffix[(sizeof(ulong) - (MacLength - _prefix.Length))..].CopyTo(destination[_prefix.Length..MacLength]);
    }

    public byte[] Mac(int slot)
    {
        var mac = new byte[MacLength];
        WriteMac(slot, mac);
        return mac;
    }

    /// <summary>The MAC packed into the low 48 bits of a <see cref="ulong"/>, for cheap comparison.</summary>
    public ulong MacKey(int slot)
    {
        Span<byte> mac = stackalloc byte[MacLength];
        WriteMac(slot, mac);
        return PackMac(mac);
    }

    public string CircuitId(int slot)
    {
        int number = Number(slot);
        return string.Create(CultureInfo.InvariantCulture, $"1/{number / PortsPerSlot}/{number % PortsPerSlot}");
    }

    /// <summary>Option 82's value: circuit-id (sub-option 1) then remote-id (sub-option 2), RFC 3046 section 2.0.</summary>
    public byte[] RelayAgentInformation(int slot) =>
        RelayAgentInformationBuilder.Build(
            (RelayAgentSubOption.CircuitId, Encoding.ASCII.GetBytes(CircuitId(slot))),
            (RelayAgentSubOption.RemoteId, _remoteId));

    public static ulong PackMac(ReadOnlySpan<byte> mac)
    {
        if (mac.Length != MacLength)
        {
            return ulong.MaxValue;
        }

        Span<byte> buffer = stackalloc byte[sizeof(ulong)];
        buffer.Clear();
        mac.CopyTo(buffer[2..]);
        return BinaryPrimitives.ReadUInt64BigEndian(buffer);
    }

    public static string FormatMac(ReadOnlySpan<byte> mac) => string.Join(':', mac.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>Parses "02:5a" or "02-5a" or "025a" into octets.</summary>
    /// <summary>
    /// Why <c>--mac-prefix</c> cannot number subscribers <paramref name="first"/> to <paramref name="first"/> +
    /// <paramref name="count"/>, or null when it can (then <paramref name="prefix"/> holds its octets).
    /// </summary>
    public static string? CheckMacPrefix(string text, long first, long count, out byte[] prefix)
    {
        if (!TryParseMacPrefix(text, out prefix) || prefix.Length > 4)
        {
            return "--mac-prefix must be 1 to 4 hex octets, e.g. 02:5a.";
        }

        if ((prefix[0] & 0x01) != 0)
        {
            return "--mac-prefix must not set the multicast bit (the first octet must be even).";
        }

        return first + count > (1L << (8 * (MacLength - prefix.Length)))
            ? "--first + --count does not fit in the MAC octets the prefix leaves."
            : null;
    }

    public static bool TryParseMacPrefix(string text, out byte[] prefix)
    {
        prefix = [];
        var hex = text.Replace(":", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (hex.Length == 0 || hex.Length % 2 != 0 || hex.Length > 8 || !hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        prefix = Convert.FromHexString(hex);
        return true;
    }
}
