using System.Globalization;

namespace Aether.Radius.Dictionary;

/// <summary>
/// Reads FreeRADIUS 3 dictionary files: ATTRIBUTE, VALUE, VENDOR, BEGIN-VENDOR/END-VENDOR, $INCLUDE (relative to the
/// including file). TLV blocks, dotted numbers (RFC 6929 extended and TLV children) and Extended-Vendor-Specific
/// vendor blocks are skipped: Aether neither sends nor splits them, so they stay opaque.
/// </summary>
internal sealed class RadiusDictionaryParser
{
    private const int MaxIncludeDepth = 32;
    private readonly RadiusDictionary.Builder _builder;
    private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);

    public RadiusDictionaryParser(RadiusDictionary.Builder builder)
    {
        _builder = builder;
    }

    public void ParseFile(string path, int depth = 0)
    {
        var full = Path.GetFullPath(path);
        if (depth > MaxIncludeDepth)
        {
            throw new RadiusDictionaryException($"{full}: $INCLUDE nested deeper than {MaxIncludeDepth}.");
        }

        // A file included twice (FreeRADIUS allows it) is read once.
        if (!_loaded.Add(full))
        {
            return;
        }

        if (!File.Exists(full))
        {
            throw new RadiusDictionaryException($"{full}: no such dictionary file.");
        }

        Parse(File.ReadAllLines(full), full, Path.GetDirectoryName(full)!, depth);
    }

    public void Parse(IReadOnlyList<string> lines, string source, string directory, int depth = 0)
    {
        var state = new BlockState();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var comment = line.IndexOf('#', StringComparison.Ordinal);
            if (comment >= 0)
            {
                line = line[..comment];
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            try
            {
                ParseLine(fields, state, directory, depth);
            }
            catch (RadiusDictionaryException)
            {
                throw;
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException or IndexOutOfRangeException)
            {
                throw new RadiusDictionaryException($"{source}:{i + 1}: {ex.Message} in '{lines[i].Trim()}'.");
            }
        }
    }

    private void ParseLine(string[] fields, BlockState state, string directory, int depth)
    {
        switch (fields[0])
        {
            case "$INCLUDE":
            case "$INCLUDE-":
                var path = Path.Combine(directory, Field(fields, 1));
                if (fields[0] == "$INCLUDE" || File.Exists(path))
                {
                    ParseFile(path, depth + 1);
                }

                break;
            case "VENDOR":
                var (typeLength, lengthLength) = fields.Length > 3 ? ParseFormat(fields[3]) : (1, 1);
                _builder.AddVendor(new DictionaryVendor(Field(fields, 1), ParseNumber(Field(fields, 2)), typeLength, lengthLength));
                break;
            case "BEGIN-VENDOR":
                var vendor = _builder.FindVendor(Field(fields, 1)) ?? throw new FormatException($"unknown vendor {fields[1]}");
                state.Vendor = vendor;
                state.SkipVendorBlock = fields.Length > 2 && fields[2].StartsWith("format=Extended", StringComparison.OrdinalIgnoreCase);
                break;
            case "END-VENDOR":
                state.Vendor = null;
                state.SkipVendorBlock = false;
                break;
            case "BEGIN-TLV":
                state.TlvDepth++;
                break;
            case "END-TLV":
                state.TlvDepth = Math.Max(0, state.TlvDepth - 1);
                break;
            case "ATTRIBUTE":
                if (state.TlvDepth == 0 && !state.SkipVendorBlock)
                {
                    AddAttribute(fields, state);
                }

                break;
            case "VALUE":
                _builder.AddValue(Field(fields, 1), Field(fields, 2), ParseNumber(Field(fields, 3)));
                break;
            default:
                // Directives of other dictionary dialects (PROTOCOL, FLAGS, ...) do not define RADIUS attributes here.
                break;
        }
    }

    private void AddAttribute(string[] fields, BlockState state)
    {
        var name = Field(fields, 1);
        var number = Field(fields, 2);
        if (number.Contains('.', StringComparison.Ordinal))
        {
            return;
        }

        var typeName = Field(fields, 3);
        var bracket = typeName.IndexOf('[', StringComparison.Ordinal);
        var baseType = (bracket >= 0 ? typeName[..bracket] : typeName).ToLowerInvariant();
        var vendor = state.Vendor;
        var hasTag = false;
        var encrypt = 0;
        var isArray = false;
        if (fields.Length > 4)
        {
            foreach (var flag in fields[4].Split(','))
            {
                if (flag == "has_tag")
                {
                    hasTag = true;
                }
                else if (flag == "array")
                {
                    isArray = true;
                }
                else if (flag.StartsWith("encrypt=", StringComparison.Ordinal))
                {
                    encrypt = int.Parse(flag["encrypt=".Length..], CultureInfo.InvariantCulture);
                }
                else if (!flag.Contains('=', StringComparison.Ordinal) && _builder.FindVendor(flag) is { } named)
                {
                    // Old syntax: the vendor is named after the type.
                    vendor = named;
                }
            }
        }

        _builder.AddAttribute(new DictionaryAttribute(name, vendor?.Id ?? 0, ParseNumber(number), MapType(baseType), baseType)
        {
            HasTag = hasTag,
            Encrypt = encrypt,
            IsArray = isArray,
        });
    }

    private static RadiusDataType MapType(string type) => type switch
    {
        "string" => RadiusDataType.String,
        "octets" => RadiusDataType.Octets,
        "ipaddr" => RadiusDataType.IpAddr,
        "integer" or "uint32" => RadiusDataType.Integer,
        "date" => RadiusDataType.Date,
        "ipv6addr" => RadiusDataType.Ipv6Addr,
        "ipv6prefix" => RadiusDataType.Ipv6Prefix,
        "ipv4prefix" => RadiusDataType.Ipv4Prefix,
        "ifid" => RadiusDataType.IfId,
        "integer64" => RadiusDataType.Integer64,
        "byte" => RadiusDataType.Byte,
        "short" or "uint16" => RadiusDataType.Short,
        "signed" => RadiusDataType.Signed,
        "ether" => RadiusDataType.Ether,
        "combo-ip" => RadiusDataType.ComboIp,
        "tlv" => RadiusDataType.Tlv,
        _ => RadiusDataType.Other,
    };

    private static (int TypeLength, int LengthLength) ParseFormat(string field)
    {
        if (!field.StartsWith("format=", StringComparison.Ordinal))
        {
            throw new FormatException($"expected format=t,l, got {field}");
        }

        var parts = field["format=".Length..].Split(',');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    internal static uint ParseNumber(string text) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : text.Length > 1 && text[0] == '0'
                ? Convert.ToUInt32(text, 8)
                : uint.Parse(text, CultureInfo.InvariantCulture);

    private static string Field(string[] fields, int index) =>
        index < fields.Length ? fields[index] : throw new FormatException($"field {index + 1} is missing");

    private sealed class BlockState
    {
        public DictionaryVendor? Vendor { get; set; }

        public bool SkipVendorBlock { get; set; }

        public int TlvDepth { get; set; }
    }
}
