using System.Globalization;
using Aether.GraphQL.Internal.Provisioning;
using GraphQL;

namespace Aether.GraphQL.Internal.Schema;

/// <summary>Reads the fields of an input object argument (a dictionary of the fields the client gave).</summary>
internal sealed class InputFields
{
    private readonly IDictionary<string, object?> _fields;

    private InputFields(IDictionary<string, object?> fields) => _fields = fields;

    public static InputFields Of(IResolveFieldContext context, string argument) =>
        new(context.GetArgument<Dictionary<string, object?>>(argument) ?? []);

    public bool Has(string name) => _fields.ContainsKey(name);

    public string? String(string name) => _fields.TryGetValue(name, out var v) && v is not null
        ? Convert.ToString(v, CultureInfo.InvariantCulture)
        : null;

    public long? Long(string name) => _fields.TryGetValue(name, out var v) && v is not null
        ? Convert.ToInt64(v, CultureInfo.InvariantCulture)
        : null;

    public DateTime? Time(string name) => _fields.TryGetValue(name, out var v) && v is not null
        ? v switch
        {
            DateTime t => Resolve.Utc(t),
            DateTimeOffset o => o.UtcDateTime,
            _ => throw ErrorCodes.BadInput($"{name} is not a date and time."),
        }
        : null;

    public T Enum<T>(string name, T fallback)
        where T : struct, System.Enum => _fields.TryGetValue(name, out var v) && v is T value ? value : fallback;

    public IReadOnlyList<string>? Strings(string name) => _fields.TryGetValue(name, out var v) && v is IEnumerable<object?> list
        ? [.. list.Select(i => Convert.ToString(i, CultureInfo.InvariantCulture)!)]
        : null;

    public Optional<string?> OptionalString(string name) => Has(name) ? Optional<string?>.Of(String(name)) : default;

    public Optional<long?> OptionalLong(string name) => Has(name) ? Optional<long?>.Of(Long(name)) : default;

    public SubscriberIdentity Identity() => new(String("username"), String("bngId"), String("remoteId"), String("circuitId"));

    public bool HasIdentity => Has("username") || Has("bngId") || Has("remoteId") || Has("circuitId");
}
