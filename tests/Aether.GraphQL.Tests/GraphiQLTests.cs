using System.Net;
using System.Text.RegularExpressions;
using Aether.GraphQL.Internal.Transport;
using Aether.GraphQL.Tests.Support;
using Aether.TestUtilities;

namespace Aether.GraphQL.Tests;

[Collection(GraphQLCollection.Name)]
public sealed partial class GraphiQLTests(PostgresServer postgres, NatsServer nats) : IAsyncLifetime
{
    private GraphQLHost _host = null!;

    public async Task InitializeAsync() => _host = await GraphQLHost.StartAsync(postgres, nats);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_explorer_page_loads_only_files_this_server_serves()
    {
        using var page = await _host.Http.GetAsync("/graphiql", TestTimeouts.Token());
        var html = await page.Content.ReadAsStringAsync(TestTimeouts.Token());
        var references = Reference().Matches(html).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(5, references.Count);
        foreach (var reference in references)
        {
            Assert.StartsWith("/graphiql/", reference, StringComparison.Ordinal);
            using var file = await _host.Http.GetAsync(reference, TestTimeouts.Token());
            Assert.True(file.StatusCode == HttpStatusCode.OK, reference);
            Assert.True((await file.Content.ReadAsByteArrayAsync(TestTimeouts.Token())).Length > 100, reference);
        }
    }

    [Fact]
    public void The_explorer_files_are_embedded()
    {
        Assert.Superset(
            new HashSet<string> { "index.html", "aether-graphiql.js", "graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js", "LICENSES.txt" },
            GraphiQLEndpoint.Files.ToHashSet());
    }

    [Fact]
    public async Task A_browser_opening_the_endpoint_is_sent_to_the_explorer()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = _host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/graphql");
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await http.SendAsync(request, TestTimeouts.Token());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/graphiql", response.Headers.Location?.ToString());
    }

    [GeneratedRegex("(?:src|href)=\"([^\"]+)\"")]
    private static partial Regex Reference();
}
