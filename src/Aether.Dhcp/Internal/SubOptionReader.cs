namespace Aether.Dhcp.Internal;

/// <summary>Walks option 82 sub-options: code, length, value (RFC 3046 section 2.0). No pad or end sub-options exist.</summary>
internal ref struct SubOptionReader
{
    private const int HeaderLength = 2;

    private readonly ReadOnlySpan<byte> _raw;
    private int _position;

    public SubOptionReader(ReadOnlySpan<byte> raw) => _raw = raw;

    public byte Code { get; private set; }

    public ReadOnlySpan<byte> Value { get; private set; }

    /// <summary>Set when a sub-option ran past the value; the walk stops there.</summary>
    public bool Malformed { get; private set; }

    public readonly int EncodedLength => HeaderLength + Value.Length;

    public bool MoveNext()
    {
        if (_position >= _raw.Length)
        {
            return false;
        }

        if (_raw.Length - _position < HeaderLength)
        {
            Malformed = true;
            _position = _raw.Length;
            return false;
        }

        int length = _raw[_position + 1];
        int valueOffset = _position + HeaderLength;
        if (length > _raw.Length - valueOffset)
        {
            Malformed = true;
            _position = _raw.Length;
            return false;
        }

        Code = _raw[_position];
        Value = _raw.Slice(valueOffset, length);
        _position = valueOffset + length;
        return true;
    }

    public static bool IsWellFormed(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
        {
            return false;
        }

        var reader = new SubOptionReader(raw);
        while (reader.MoveNext())
        {
        }

        return !reader.Malformed;
    }
}
