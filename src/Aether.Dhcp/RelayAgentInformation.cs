using System.Buffers.Binary;
using Aether.Dhcp.Internal;

namespace Aether.Dhcp;

/// <summary>
/// A view of option 82's value: a sequence of sub-option code, length, value (RFC 3046 section 2.0).
/// Accessors return the first instance of a sub-option and stop at the first malformed one.
/// </summary>
public readonly ref struct RelayAgentInformation
{
    private readonly ReadOnlySpan<byte> _raw;
    private readonly bool _isPresent;

    public RelayAgentInformation(ReadOnlySpan<byte> value)
    {
        _raw = value;
        _isPresent = true;
    }

    public bool IsPresent => _isPresent;

    /// <summary>The option's value (all sub-options), without the option's own code and length.</summary>
    public ReadOnlySpan<byte> Raw => _raw;

    /// <summary>Every sub-option fits inside the value (RFC 3046 section 2.0), and there is at least one.</summary>
    public bool IsWellFormed => _isPresent && SubOptionReader.IsWellFormed(_raw);

    /// <summary>RFC 3046 section 3.1.</summary>
    public ReadOnlySpan<byte> CircuitId => Get(RelayAgentSubOption.CircuitId);

    /// <summary>RFC 3046 section 3.2.</summary>
    public ReadOnlySpan<byte> RemoteId => Get(RelayAgentSubOption.RemoteId);

    /// <summary>RFC 6925 section 5.</summary>
    public ReadOnlySpan<byte> RelayId => Get(RelayAgentSubOption.RelayId);

    /// <summary>RFC 3993 section 3: an NVT ASCII subscriber identifier.</summary>
    public ReadOnlySpan<byte> SubscriberId => Get(RelayAgentSubOption.SubscriberId);

    /// <summary>RFC 3527 section 3: the subnet to allocate from, 4 octets.</summary>
    public bool TryGetLinkSelection(out Ipv4Address subnet) => TryGetAddress(RelayAgentSubOption.LinkSelection, out subnet);

    /// <summary>RFC 5107 section 4: the address the client should use as server identifier, 4 octets.</summary>
    public bool TryGetServerIdentifierOverride(out Ipv4Address server) =>
        TryGetAddress(RelayAgentSubOption.ServerIdentifierOverride, out server);

    public bool TryGetSubOption(byte code, out ReadOnlySpan<byte> value)
    {
        var reader = new SubOptionReader(_raw);
        while (reader.MoveNext())
        {
            if (reader.Code == code)
            {
                value = reader.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>
    /// RFC 4243 section 3: sub-option 9 holds one or more (enterprise-number, data-len, data) records; returns the
    /// data of the first record for <paramref name="enterpriseNumber"/>.
    /// </summary>
    public bool TryGetVendorSpecific(uint enterpriseNumber, out ReadOnlySpan<byte> data)
    {
        data = default;
        if (!TryGetSubOption(RelayAgentSubOption.VendorSpecific, out var records))
        {
            return false;
        }

        const int recordHeaderLength = sizeof(uint) + 1;
        while (records.Length >= recordHeaderLength)
        {
            uint enterprise = BinaryPrimitives.ReadUInt32BigEndian(records);
            int length = records[sizeof(uint)];
            if (length > records.Length - recordHeaderLength)
            {
                return false;
            }

            if (enterprise == enterpriseNumber)
            {
                data = records.Slice(recordHeaderLength, length);
                return true;
            }

            records = records[(recordHeaderLength + length)..];
        }

        return false;
    }

    /// <summary>Enumerates sub-options in wire order; stops at the first malformed one.</summary>
    public SubOptionEnumerator GetEnumerator() => new(_raw);

    private ReadOnlySpan<byte> Get(byte code) => TryGetSubOption(code, out var value) ? value : default;

    private bool TryGetAddress(byte code, out Ipv4Address address)
    {
        if (TryGetSubOption(code, out var value) && value.Length == Ipv4Address.Length)
        {
            address = Ipv4Address.Read(value);
            return true;
        }

        address = default;
        return false;
    }

    public ref struct SubOptionEnumerator
    {
        private SubOptionReader _reader;

        internal SubOptionEnumerator(ReadOnlySpan<byte> raw) => _reader = new SubOptionReader(raw);

        public readonly RelayAgentSubOptionValue Current => new(_reader.Code, _reader.Value);

        public bool MoveNext() => _reader.MoveNext();
    }
}

/// <summary>One sub-option of option 82.</summary>
public readonly ref struct RelayAgentSubOptionValue
{
    public RelayAgentSubOptionValue(byte code, ReadOnlySpan<byte> value)
    {
        Code = code;
        Value = value;
    }

    public byte Code { get; }

    public ReadOnlySpan<byte> Value { get; }
}
