namespace Aether.Radius.Dictionary;

/// <summary>
/// Attribute names, numbers, types and value names read from FreeRADIUS dictionary files, so operators add vendors
/// without a rebuild. Names are case-insensitive, as in FreeRADIUS. Immutable once loaded.
/// </summary>
public sealed partial class RadiusDictionary
{
    /// <summary>Where Debian's FreeRADIUS keeps the full dictionary tree.</summary>
    public const string FreeRadiusDictionaryPath = "/usr/share/freeradius/dictionary";

    private readonly Dictionary<string, DictionaryAttribute> _byName;
    private readonly Dictionary<(uint VendorId, uint Type), DictionaryAttribute> _byNumber;
    private readonly Dictionary<string, DictionaryVendor> _vendorsByName;
    private readonly Dictionary<uint, DictionaryVendor> _vendorsById;
    private readonly Dictionary<string, ValueNames> _values;

    private RadiusDictionary(Builder builder)
    {
        _byName = builder.ByName;
        _byNumber = builder.ByNumber;
        _vendorsByName = builder.VendorsByName;
        _vendorsById = builder.VendorsById;
        _values = builder.Values;
    }

    public IReadOnlyCollection<DictionaryAttribute> Attributes => _byName.Values;

    public IReadOnlyCollection<DictionaryVendor> Vendors => _vendorsByName.Values;

    /// <summary>Loads files in order; later definitions of a name or number replace earlier ones.</summary>
    /// <exception cref="RadiusDictionaryException">A file is missing or a line is malformed (the message names file and line).</exception>
    public static RadiusDictionary Load(params string[] paths)
    {
        var builder = new Builder();
        var parser = new RadiusDictionaryParser(builder);
        foreach (var path in paths)
        {
            parser.ParseFile(path);
        }

        return new RadiusDictionary(builder);
    }

    /// <summary>Parses dictionary text; $INCLUDE is resolved against <paramref name="directory"/>.</summary>
    public static RadiusDictionary Parse(string text, string? directory = null)
    {
        var builder = new Builder();
        new RadiusDictionaryParser(builder).Parse(text.Split('\n'), "<text>", directory ?? Directory.GetCurrentDirectory());
        return new RadiusDictionary(builder);
    }

    public bool TryGetAttribute(string name, out DictionaryAttribute attribute) => _byName.TryGetValue(name, out attribute!);

    public bool TryGetAttribute(uint vendorId, uint type, out DictionaryAttribute attribute) => _byNumber.TryGetValue((vendorId, type), out attribute!);

    /// <summary>The definition of a wire attribute, or null when the dictionary does not know it.</summary>
    public DictionaryAttribute? Find(RadiusAttribute attribute) =>
        _byNumber.GetValueOrDefault(attribute.IsVendor ? (attribute.VendorId, attribute.VendorType) : (0u, attribute.Type));

    public bool TryGetVendor(string name, out DictionaryVendor vendor) => _vendorsByName.TryGetValue(name, out vendor!);

    public bool TryGetVendor(uint id, out DictionaryVendor vendor) => _vendorsById.TryGetValue(id, out vendor!);

    /// <summary>The number of a VALUE name of an attribute (e.g. Acct-Status-Type Start is 1).</summary>
    public bool TryGetValue(string attributeName, string valueName, out uint value)
    {
        value = 0;
        return _values.TryGetValue(attributeName, out var names) && names.ByName.TryGetValue(valueName, out value);
    }

    /// <summary>The VALUE name of an attribute's number, e.g. Acct-Terminate-Cause 1 is User-Request.</summary>
    public bool TryGetValueName(string attributeName, uint value, out string valueName)
    {
        valueName = "";
        return _values.TryGetValue(attributeName, out var names) && names.ByNumber.TryGetValue(value, out valueName!);
    }

    internal sealed class ValueNames
    {
        public Dictionary<string, uint> ByName { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<uint, string> ByNumber { get; } = [];
    }

    /// <summary>Collects definitions while files are read.</summary>
    internal sealed class Builder
    {
        public Dictionary<string, DictionaryAttribute> ByName { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<(uint VendorId, uint Type), DictionaryAttribute> ByNumber { get; } = [];

        public Dictionary<string, DictionaryVendor> VendorsByName { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<uint, DictionaryVendor> VendorsById { get; } = [];

        public Dictionary<string, ValueNames> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

        public void AddVendor(DictionaryVendor vendor)
        {
            VendorsByName[vendor.Name] = vendor;
            VendorsById[vendor.Id] = vendor;
        }

        public DictionaryVendor? FindVendor(string name) => VendorsByName.GetValueOrDefault(name);

        public void AddAttribute(DictionaryAttribute attribute)
        {
            ByName[attribute.Name] = attribute;
            ByNumber[(attribute.VendorId, attribute.Type)] = attribute;
        }

        public void AddValue(string attributeName, string valueName, uint value)
        {
            if (!Values.TryGetValue(attributeName, out var names))
            {
                names = new ValueNames();
                Values[attributeName] = names;
            }

            names.ByName[valueName] = value;
            // The first name given to a number is the one printed, as in FreeRADIUS.
            names.ByNumber.TryAdd(value, valueName);
        }
    }
}
