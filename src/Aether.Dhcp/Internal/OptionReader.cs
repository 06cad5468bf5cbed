namespace Aether.Dhcp.Internal;

/// <summary>
/// Walks one option area (the options field, or an overloaded file/sname field) as code-length-value
/// triplets (RFC 2132 section 2). Pad is skipped; End or the end of the area stops the walk.
/// </summary>
internal ref struct OptionReader
{
    private readonly ReadOnlySpan<byte> _area;
    private int _position;

    public OptionReader(ReadOnlySpan<byte> area)
    {
        _area = area;
        EndOffset = -1;
    }

    public byte Code { get; private set; }

    public ReadOnlySpan<byte> Value { get; private set; }

    /// <summary>Offset of the current option's code octet within the area.</summary>
    public int Offset { get; private set; }

    /// <summary>Code, length and value octets of the current option.</summary>
    public readonly int EncodedLength => BootpLayout.OptionHeaderLength + Value.Length;

    /// <summary>The last option's length ran past the area; set when <see cref="MoveNext"/> returns false.</summary>
    public bool Overrun { get; private set; }

    /// <summary>Offset of the End option within the area, -1 when the area ended without one.</summary>
    public int EndOffset { get; private set; }

    public bool MoveNext()
    {
        while (_position < _area.Length)
        {
            byte code = _area[_position];
            if (code == DhcpOptionCode.Pad)
            {
                _position++;
                continue;
            }

            if (code == DhcpOptionCode.End)
            {
                EndOffset = _position;
                _position = _area.Length;
                return false;
            }

            int valueOffset = _position + BootpLayout.OptionHeaderLength;
            if (valueOffset > _area.Length)
            {
                Overrun = true;
                _position = _area.Length;
                return false;
            }

            int length = _area[_position + 1];
            if (length > _area.Length - valueOffset)
            {
                Overrun = true;
                _position = _area.Length;
                return false;
            }

            Code = code;
            Offset = _position;
            Value = _area.Slice(valueOffset, length);
            _position = valueOffset + length;
            return true;
        }

        return false;
    }
}
