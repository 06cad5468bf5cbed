using System.Net;
using Aether.GraphQL.Tests.Support;
using Aether.TestUtilities;

namespace Aether.GraphQL.Tests;

[Collection(GraphQLCollection.Name)]
public sealed class AuthorizationTests(PostgresServer postgres, NatsServer nats)
{
    private const string CreatePlan = "mutation { createPlan(input: { name: \"p\", downloadKbps: 1000, uploadKbps: 1000 }) { id } }";

    [Fact]
    public async Task Roles_decide_who_reads_and_who_mutates()
    {
        await using var host = await GraphQLHost.StartAsync(postgres, nats);

        var anonymousRead = await host.QueryAsync("{ plans { id } }");
        var anonymousMutation = await host.QueryAsync(CreatePlan);
        var viewerMutation = await host.QueryAsync(CreatePlan, key: GraphQLHost.ViewerKey);
        var operatorMutation = await host.QueryAsync(CreatePlan, key: GraphQLHost.OperatorKey);
        var apiKeyHeader = await host.PostAsync(new { query = CreatePlan.Replace("\"p\"", "\"q\"", StringComparison.Ordinal) },
            headers: new Dictionary<string, string> { ["X-Api-Key"] = GraphQLHost.OperatorKey });

        anonymousRead.Ok();
        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHENTICATED"), (anonymousMutation.Status, anonymousMutation.FirstErrorCode));
        Assert.True(JsonNull(anonymousMutation));
        Assert.Equal((HttpStatusCode.Forbidden, "FORBIDDEN"), (viewerMutation.Status, viewerMutation.FirstErrorCode));
        Assert.Equal("The API key 'noc-wall' has the viewer role; mutations need the operator role.", viewerMutation.FirstError.GetProperty("message").GetString());
        operatorMutation.Ok();
        apiKeyHeader.Ok();
        Assert.Equal(["p", "q"], await host.ReadRowsAsync(host.OssConnectionString, "SELECT name FROM plans ORDER BY name"));
    }

    [Fact]
    public async Task A_wrong_key_is_refused_even_for_reads_and_keys_never_reach_the_log()
    {
        await using var host = await GraphQLHost.StartAsync(postgres, nats);

        var wrong = await host.QueryAsync("{ plans { id } }", key: "not-a-key-of-this-server");
        var malformed = await host.PostAsync(new { query = "{ plans { id } }" }, headers: new Dictionary<string, string> { ["Authorization"] = "Basic Zm9vOmJhcg==" });
        await host.QueryAsync(CreatePlan, key: GraphQLHost.OperatorKey);

        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHENTICATED"), (wrong.Status, wrong.FirstErrorCode));
        Assert.Equal(HttpStatusCode.Unauthorized, malformed.Status);
        Assert.Contains("'ops'", host.Log.All, StringComparison.Ordinal);
        Assert.DoesNotContain(GraphQLHost.OperatorKey, host.Log.All, StringComparison.Ordinal);
        Assert.DoesNotContain(GraphQLHost.ViewerKey, host.Log.All, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-key-of-this-server", host.Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_anonymous_reads_a_key_is_needed_to_read()
    {
        await using var host = await GraphQLHost.StartAsync(postgres, nats, new Dictionary<string, string?> { ["GraphQL:AllowAnonymousRead"] = "false" });

        var anonymous = await host.QueryAsync("{ plans { id } }");
        var viewer = await host.QueryAsync("{ plans { id } }", key: GraphQLHost.ViewerKey);

        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHENTICATED"), (anonymous.Status, anonymous.FirstErrorCode));
        viewer.Ok();
    }

    [Fact]
    public async Task Without_keys_the_server_warns_at_start_and_refuses_every_mutation()
    {
        await using var host = await GraphQLHost.StartAsync(postgres, nats, withKeys: false);

        var mutation = await host.QueryAsync(CreatePlan);

        Assert.Contains(host.Log.Entries, e => e.EventId.Id == 3000 && e.Message.Contains("mutations are refused", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, mutation.Status);
    }

    [Fact]
    public async Task Queries_work_over_get_and_mutations_do_not()
    {
        await using var host = await GraphQLHost.StartAsync(postgres, nats);

        using var get = await host.Http.GetAsync("/graphql?query=" + Uri.EscapeDataString("{ plans { id } }"), TestTimeouts.Token());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/graphql?query=" + Uri.EscapeDataString(CreatePlan));
        request.Headers.Authorization = new("Bearer", GraphQLHost.OperatorKey);
        using var mutation = await host.Http.SendAsync(request, TestTimeouts.Token());

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, mutation.StatusCode);
        Assert.Empty(await host.ReadRowsAsync(host.OssConnectionString, "SELECT * FROM plans"));
    }

    private static bool JsonNull(GraphQLResponse response) =>
        !response.Body.TryGetProperty("data", out var data) || data.ValueKind == System.Text.Json.JsonValueKind.Null;
}
