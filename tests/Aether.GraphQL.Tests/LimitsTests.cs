using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Aether.GraphQL.Tests.Support;
using Aether.TestUtilities;

namespace Aether.GraphQL.Tests;

[Collection(GraphQLCollection.Name)]
public sealed class LimitsTests(PostgresServer postgres, NatsServer nats) : IAsyncLifetime
{
    private GraphQLHost _host = null!;

    public async Task InitializeAsync() => _host = await GraphQLHost.StartAsync(postgres, nats);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_query_nested_deeper_than_the_limit_is_refused_before_it_runs()
    {
        using var counter = new SqlCommandCounter(_host.OssDatabase);
        var response = await _host.QueryAsync(
            "{ customers { nodes { services { customer { services { customer { services { customer { services { customer { id } } } } } } } } } } }");

        Assert.False(response.Body.TryGetProperty("data", out _));
        Assert.Contains("too nested", response.FirstError.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("COMPLEXITY", response.FirstErrorCode);
        Assert.Equal(0, counter.Count);
    }

    [Fact]
    public async Task A_query_costing_more_than_the_limit_is_refused_before_it_runs()
    {
        const string Page = "sessions(first: 500) { nodes { id bngId ip mac circuitId remoteId username downloadKbps uploadKbps bytesUp bytesDown started customer { id name email } } }";
        var response = await _host.QueryAsync($"{{ a: {Page} b: {Page} c: {Page} d: {Page} }}");
        var single = await _host.QueryAsync($"{{ {Page} }}");

        Assert.Equal("Query is too complex to execute. Complexity is 32008; maximum allowed on this endpoint is 25000.",
            response.FirstError.GetProperty("message").GetString());
        Assert.False(response.Body.TryGetProperty("data", out _));
        single.Ok();
    }

    [Fact]
    public async Task Malformed_requests_are_answered_with_what_is_wrong()
    {
        using var notJson = new StringContent("{ plans", Encoding.UTF8, "application/json");
        using var badBody = await _host.Http.PostAsync("/graphql", notJson, TestTimeouts.Token());
        using var text = new StringContent("{ plans { id } }", Encoding.UTF8, "text/plain");
        using var badType = await _host.Http.PostAsync("/graphql", text, TestTimeouts.Token());
        var syntax = await _host.QueryAsync("{ plans { id }");
        var unknownField = await _host.QueryAsync("{ plans { price } }");
        var huge = await _host.QueryAsync("{ plans { id } }" + new string(' ', 40_000));

        Assert.Equal(HttpStatusCode.BadRequest, badBody.StatusCode);
        Assert.Contains("not a GraphQL request", await badBody.Content.ReadAsStringAsync(TestTimeouts.Token()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, badType.StatusCode);
        Assert.True(syntax.HasErrors);
        Assert.Contains("price", unknownField.FirstError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "BAD_REQUEST"), (huge.Status, huge.FirstErrorCode));
    }

    [Fact]
    public async Task The_graphql_response_media_type_is_used_when_asked_for()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = System.Net.Http.Json.JsonContent.Create(new { query = "{ plans { id } }" }) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/graphql-response+json"));
        using var response = await _host.Http.SendAsync(request, TestTimeouts.Token());

        Assert.Equal("application/graphql-response+json", response.Content.Headers.ContentType?.MediaType);
    }
}
