using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Aether.GraphQL.Internal.Transport;

/// <summary>
/// The GraphiQL explorer at /graphiql, from files embedded in this assembly (GraphiQL and React from npm, see
/// GraphiQL/update-assets.sh): nothing is loaded from elsewhere, so it works without internet access.
/// </summary>
internal static class GraphiQLEndpoint
{
    public const string Path = "/graphiql";
    private const string ResourcePrefix = "graphiql/";

    private static readonly FrozenDictionary<string, (byte[] Content, string ContentType, string ETag)> s_files = Load();

    // GraphiQL styles elements inline and embeds its fonts as data: URLs; everything else comes from this server.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; " +
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static IReadOnlyCollection<string> Files => s_files.Keys;

    public static Task PageAsync(HttpContext http) => ServeAsync(http, "index.html");

    public static Task FileAsync(HttpContext http, string file) => ServeAsync(http, file);

    private static async Task ServeAsync(HttpContext http, string file)
    {
        if (!s_files.TryGetValue(file, out var entry))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var headers = http.Response.Headers;
        headers.ETag = entry.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = file == "index.html" ? "no-cache" : "public, max-age=86400";
        if (file == "index.html")
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
        }

        if (http.Request.Headers.IfNoneMatch == entry.ETag)
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        http.Response.ContentType = entry.ContentType;
        http.Response.ContentLength = entry.Content.Length;
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(entry.Content, http.RequestAborted);
        }
    }

    private static FrozenDictionary<string, (byte[], string, string)> Load()
    {
        var assembly = typeof(GraphiQLEndpoint).Assembly;
        var files = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[ResourcePrefix.Length..];
            var etag = "\"" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(content), 0, 8) + "\"";
            files[name] = (content, ContentType(name), etag);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => System.IO.Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    };
}
