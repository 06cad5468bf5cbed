using Npgsql;

namespace Aether.GraphQL;

/// <summary>What a caller may do: viewers read and subscribe, operators also mutate.</summary>
public enum ApiRole
{
    Viewer = 1,
    Operator = 2,
}

/// <summary>One API key. The key itself is a secret: it is never logged, only its name.</summary>
public sealed class ApiKeyOptions
{
    public string Name { get; set; } = "";

    public string Key { get; set; } = "";

    public ApiRole Role { get; set; } = ApiRole.Viewer;
}

/// <summary>
/// The GraphQL API's settings (section "GraphQL"). <see cref="RadiusConnectionString"/>, <see cref="SubscriberPassword"/>
/// and <see cref="UserNameTemplate"/> default to ConnectionStrings:Radius, Controller:SubscriberPassword and
/// Controller:UserNameTemplate of the host's configuration, so the API provisions what the controller authorizes.
/// </summary>
public sealed class AetherGraphQLOptions
{
    public const string DefaultSectionName = "GraphQL";
    public const int MinimumKeyLength = 16;

    /// <summary>
    /// Whether a request without an API key may read and subscribe (as a viewer). Mutations always need an operator
    /// key. True by default, for the lab; set it to false wherever the network is not trusted.
    /// </summary>
    public bool AllowAnonymousRead { get; set; } = true;

    /// <summary>API keys, e.g. from the environment: GraphQL__ApiKeys__0__Name, __Key, __Role.</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>A file of "name role key" lines (# comments, blank lines ignored), read at start.</summary>
    public string? ApiKeysFile { get; set; }

    /// <summary>Deepest selection nesting accepted (the operation's root fields are depth 1).</summary>
    public int MaxDepth { get; set; } = 10;

    /// <summary>
    /// Highest estimated cost accepted: every field costs 1, multiplied by the page size (first) of the lists above it.
    /// A page of 500 sessions with 20 fields each and their customer is about 13,000.
    /// </summary>
    public int MaxComplexity { get; set; } = 25_000;

    /// <summary>Most rows in one page (first).</summary>
    public int MaxPageSize { get; set; } = 500;

    /// <summary>Longest query text accepted, in characters.</summary>
    public int MaxQueryLength { get; set; } = 32 * 1024;

    /// <summary>Largest HTTP request body and WebSocket message accepted, in bytes.</summary>
    public int MaxRequestBytes { get; set; } = 256 * 1024;

    /// <summary>The FreeRADIUS PostgreSQL database (radcheck, radreply, radusergroup). Default: ConnectionStrings:Radius.</summary>
    public string? RadiusConnectionString { get; set; }

    /// <summary>Cleartext-Password written to radcheck. Default: Controller:SubscriberPassword, else "aether".</summary>
    public string? SubscriberPassword { get; set; }

    /// <summary>
    /// RADIUS User-Name of a service given as bngId, remoteId and circuitId. Default: Controller:UserNameTemplate, else
    /// "{bng_id}/{remote_id}/{circuit_id}".
    /// </summary>
    public string? UserNameTemplate { get; set; }

    /// <summary>How long a WebSocket client has to send connection_init before the socket is closed with 4408.</summary>
    public TimeSpan ConnectionInitTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Interval of WebSocket keep-alive (protocol-level ping) frames.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most operations running at once on one WebSocket.</summary>
    public int MaxOperationsPerConnection { get; set; } = 100;

    /// <summary>Messages queued towards one WebSocket client; a client that falls further behind is disconnected.</summary>
    public int SendQueueCapacity { get; set; } = 4096;

    /// <summary>Live sessions reshaped at once after a plan change.</summary>
    public int RateChangeParallelism { get; set; } = 8;

    /// <summary>Serve the GraphiQL explorer at /graphiql.</summary>
    public bool EnableGraphiQL { get; set; } = true;

    internal const string DefaultUserNameTemplate = "{bng_id}/{remote_id}/{circuit_id}";
    internal const string DefaultSubscriberPassword = "aether";

    /// <summary>Every problem with these options, so one start reports them all. Keys are never quoted.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ApiKeys.Count; i++)
        {
            ValidateKey(ApiKeys[i], $"GraphQL:ApiKeys:{i}", names, keys, errors);
        }

        if (ApiKeysFile is not null)
        {
            if (!File.Exists(ApiKeysFile))
            {
                errors.Add($"GraphQL:ApiKeysFile '{ApiKeysFile}' does not exist.");
            }
            else
            {
                var (fileKeys, fileErrors) = ApiKeyFile.Read(ApiKeysFile);
                errors.AddRange(fileErrors);
                foreach (var (line, key) in fileKeys)
                {
                    ValidateKey(key, $"GraphQL:ApiKeysFile line {line}", names, keys, errors);
                }
            }
        }

        if (MaxDepth is < 2 or > 64)
        {
            errors.Add("GraphQL:MaxDepth must be between 2 and 64.");
        }

        if (MaxComplexity < 100)
        {
            errors.Add("GraphQL:MaxComplexity must be at least 100.");
        }

        if (MaxPageSize is < 1 or > SessionPageLimit)
        {
            errors.Add($"GraphQL:MaxPageSize must be between 1 and {SessionPageLimit}.");
        }

        if (MaxQueryLength < 256)
        {
            errors.Add("GraphQL:MaxQueryLength must be at least 256.");
        }

        if (MaxRequestBytes < 1024)
        {
            errors.Add("GraphQL:MaxRequestBytes must be at least 1024.");
        }

        if (RadiusConnectionString is not null)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(RadiusConnectionString);
            }
            catch (ArgumentException)
            {
                // The message of the exception could quote the string, password included.
                errors.Add("GraphQL:RadiusConnectionString (or ConnectionStrings:Radius) is not a valid PostgreSQL connection string.");
            }
        }

        if (SubscriberPassword is { Length: 0 })
        {
            errors.Add("GraphQL:SubscriberPassword must not be empty.");
        }

        if (UserNameTemplate is not null && !UserNameTemplate.Contains('{', StringComparison.Ordinal))
        {
            errors.Add($"GraphQL:UserNameTemplate '{UserNameTemplate}' has no placeholder such as {{circuit_id}}.");
        }

        if (ConnectionInitTimeout <= TimeSpan.Zero)
        {
            errors.Add("GraphQL:ConnectionInitTimeout must be positive.");
        }

        if (KeepAliveInterval < TimeSpan.Zero)
        {
            errors.Add("GraphQL:KeepAliveInterval must not be negative.");
        }

        if (MaxOperationsPerConnection < 1)
        {
            errors.Add("GraphQL:MaxOperationsPerConnection must be at least 1.");
        }

        if (SendQueueCapacity < 16)
        {
            errors.Add("GraphQL:SendQueueCapacity must be at least 16.");
        }

        if (RateChangeParallelism is < 1 or > 256)
        {
            errors.Add("GraphQL:RateChangeParallelism must be between 1 and 256.");
        }

        return errors;
    }

    // The storage layer's own limit on one page.
    private const int SessionPageLimit = 1000;

    private static void ValidateKey(ApiKeyOptions key, string where, HashSet<string> names, HashSet<string> keys, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(key.Name))
        {
            errors.Add($"{where}: the key has no Name.");
        }
        else if (!names.Add(key.Name))
        {
            errors.Add($"{where}: the name '{key.Name}' is used twice.");
        }

        if (!Enum.IsDefined(key.Role))
        {
            errors.Add($"{where}: Role must be Viewer or Operator.");
        }

        if (string.IsNullOrEmpty(key.Key) || key.Key.Length < MinimumKeyLength)
        {
            errors.Add($"{where}: the key of '{key.Name}' is shorter than {MinimumKeyLength} characters.");
        }
        else if (key.Key.Any(char.IsWhiteSpace))
        {
            errors.Add($"{where}: the key of '{key.Name}' contains white space.");
        }
        else if (!keys.Add(key.Key))
        {
            errors.Add($"{where}: the key of '{key.Name}' is also given to another name.");
        }
    }
}

/// <summary>Reads "name role key" lines.</summary>
internal static class ApiKeyFile
{
    public static (List<(int Line, ApiKeyOptions Key)> Keys, List<string> Errors) Read(string path)
    {
        var keys = new List<(int, ApiKeyOptions)>();
        var errors = new List<string>();
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"GraphQL:ApiKeysFile '{path}' cannot be read: {ex.GetType().Name}.");
            return (keys, errors);
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3)
            {
                errors.Add($"GraphQL:ApiKeysFile line {i + 1}: expected \"name role key\".");
                continue;
            }

            if (!Enum.TryParse<ApiRole>(parts[1], ignoreCase: true, out var role) || !Enum.IsDefined(role))
            {
                errors.Add($"GraphQL:ApiKeysFile line {i + 1}: role '{parts[1]}' is not viewer or operator.");
                continue;
            }

            keys.Add((i + 1, new ApiKeyOptions { Name = parts[0], Role = role, Key = parts[2] }));
        }

        return (keys, errors);
    }
}
