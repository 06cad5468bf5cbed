using Microsoft.Extensions.Configuration;

namespace Aether.Observability;

/// <summary>
/// Secrets from files: any setting whose name ends in <c>SecretFile</c>, <c>PasswordFile</c> or <c>TokenFile</c> names a
/// file whose content (without the trailing newline) becomes the setting without the <c>File</c> suffix, e.g.
/// <c>Radius:Servers:0:SecretFile=/run/secrets/radius</c> sets <c>Radius:Servers:0:Secret</c>. Like any setting, the
/// file name may come from the command line or the environment (<c>Radius__Servers__0__SecretFile</c>), and so may the
/// secret itself. Values never reach a log.
/// </summary>
public static class SecretFiles
{
    private static readonly string[] s_suffixes = ["SecretFile", "PasswordFile", "TokenFile"];

    /// <summary>
    /// Reads every secret file named so far in <paramref name="configuration"/> and adds their contents on top.
    /// Throws one <see cref="InvalidOperationException"/> listing every file that cannot be read.
    /// </summary>
    public static IConfigurationManager AddAetherSecretFiles(this IConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        foreach (var (key, path) in configuration.AsEnumerable())
        {
            var name = key[(key.LastIndexOf(':') + 1)..];
            if (string.IsNullOrWhiteSpace(path) || !Array.Exists(s_suffixes, s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            try
            {
                values[key[..^"File".Length]] = File.ReadAllText(path).TrimEnd('\r', '\n');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                errors.Add($"{key}: cannot read '{path}' ({ex.Message}).");
            }
        }
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Secret files: " + string.Join(" ", errors));
        }
        if (values.Count > 0)
        {
            configuration.AddInMemoryCollection(values);
        }
        return configuration;
    }
}
