using System.Text.Json;
using Aether.GraphQL.Tests.Support;
using Aether.TestUtilities;

namespace Aether.GraphQL.Tests;

[Collection(GraphQLCollection.Name)]
public sealed class ProvisioningTests(PostgresServer postgres, NatsServer nats) : IAsyncLifetime
{
    private const string Identity = "bng-01/relay-01/1/0/1";
    private GraphQLHost _host = null!;

    public async Task InitializeAsync() => _host = await GraphQLHost.StartAsync(postgres, nats);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Assigning_a_plan_writes_radcheck_radreply_and_radusergroup()
    {
        var customer = await CreateCustomerAsync("Ada", "ada@example.net");
        var plan = await CreatePlanAsync("residential-20", 20000, 10000);

        var assignment = (await _host.MutateAsync(
            """
            mutation($c: ID!, $p: ID!) {
              assignPlan(input: { customerId: $c, planId: $p, bngId: "bng-01", remoteId: "relay-01", circuitId: "1/0/1" }) {
                created sessionsUpdated service { id username status circuitId remoteId plan { name } customer { email } }
              }
            }
            """, new { c = customer, p = plan })).Ok().Data.GetProperty("assignPlan");

        Assert.True(assignment.GetProperty("created").GetBoolean());
        var service = assignment.GetProperty("service");
        Assert.Equal(Identity, service.GetProperty("username").GetString());
        Assert.Equal("ACTIVE", service.GetProperty("status").GetString());
        Assert.Equal("residential-20", service.GetProperty("plan").GetProperty("name").GetString());
        Assert.Equal(["bng-01/relay-01/1/0/1|Cleartext-Password|:=|aether"], await RadiusAsync("radcheck"));
        Assert.Equal(["bng-01/relay-01/1/0/1|OSS-Download-Speed|:=|20000", "bng-01/relay-01/1/0/1|OSS-Upload-Speed|:=|10000"], await RadiusAsync("radreply"));
        Assert.Equal(["bng-01/relay-01/1/0/1|residential-20|1"],
            await _host.ReadRowsAsync(_host.RadiusConnectionString, "SELECT username, groupname, priority FROM radusergroup ORDER BY id"));
        _host.Log.AssertNoErrors();
    }

    [Fact]
    public async Task The_radius_profile_shows_the_rows_with_the_password_masked()
    {
        var customer = await CreateCustomerAsync("Ada", "ada@example.net");
        await AssignAsync(customer, await CreatePlanAsync("p20", 20000, 10000), "1/0/1");
        await AssignAsync(customer, await CreatePlanAsync("p50", 50000, 20000), "1/0/2");

        var profile = (await _host.QueryAsync(
            "query($c: ID!) { radiusProfile(customerId: $c) { usernames check { attribute op value } reply { username attribute value } groups { groupName } } }",
            new { c = customer })).Ok().Data.GetProperty("radiusProfile");

        Assert.Equal(["bng-01/relay-01/1/0/1", "bng-01/relay-01/1/0/2"], profile.GetProperty("usernames").EnumerateArray().Select(u => u.GetString()));
        Assert.All(profile.GetProperty("check").EnumerateArray(), c => Assert.Equal("********", c.GetProperty("value").GetString()));
        Assert.Equal(4, profile.GetProperty("reply").GetArrayLength());
        Assert.Equal(["p20", "p50"], profile.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("groupName").GetString()));
    }

    [Fact]
    public async Task Assigning_another_plan_moves_the_service_and_reshapes_the_live_session()
    {
        var customer = await CreateCustomerAsync("Ada", "ada@example.net");
        await AssignAsync(customer, await CreatePlanAsync("p20", 20000, 10000), "1/0/1");
        await Seed.SessionsAsync(_host.OssConnectionString, 1);
        _host.Sessions.Known[Seed.SessionId("bng-01", 0)] = "bng-01";

        var assignment = await AssignAsync(customer, await CreatePlanAsync("p100", 100000, 40000), "1/0/1");

        Assert.False(assignment.GetProperty("created").GetBoolean());
        Assert.Equal(1, assignment.GetProperty("sessionsUpdated").GetInt32());
        Assert.Equal((Seed.SessionId("bng-01", 0), 100000L, 40000L), Assert.Single(_host.Sessions.RateChanges));
        Assert.Equal(["bng-01/relay-01/1/0/1|OSS-Download-Speed|:=|100000", "bng-01/relay-01/1/0/1|OSS-Upload-Speed|:=|40000"], await RadiusAsync("radreply"));
        Assert.Single(await RadiusAsync("radcheck"));
    }

    [Fact]
    public async Task An_identity_of_another_customer_is_a_conflict()
    {
        var plan = await CreatePlanAsync("p20", 20000, 10000);
        await AssignAsync(await CreateCustomerAsync("Ada", "ada@example.net"), plan, "1/0/1");

        var response = await _host.MutateAsync(
            "mutation($c: ID!, $p: ID!) { assignPlan(input: { customerId: $c, planId: $p, username: \"bng-01/relay-01/1/0/1\" }) { created } }",
            new { c = await CreateCustomerAsync("Bob", "bob@example.net"), p = plan });

        Assert.Equal("CONFLICT", response.FirstErrorCode);
        Assert.Contains("belongs to service", response.FirstError.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changing_a_plan_rewrites_radreply_and_sends_the_rates_to_live_sessions()
    {
        var plan = await CreatePlanAsync("p20", 20000, 10000);
        for (var i = 0; i < 3; i++)
        {
            await AssignAsync(await CreateCustomerAsync($"C{i}", $"c{i}@example.net"), plan, $"1/0/{i + 1}");
        }

        await Seed.SessionsAsync(_host.OssConnectionString, 3);
        for (var i = 0; i < 3; i++)
        {
            _host.Sessions.Known[Seed.SessionId("bng-01", i)] = "bng-01";
        }

        _host.Sessions.Unreachable[Seed.SessionId("bng-01", 2)] = true;
        await _host.ExecuteSqlAsync(_host.RadiusConnectionString,
            "INSERT INTO radreply (username, attribute, op, value) VALUES ('bng-01/relay-01/1/0/1', 'Framed-Pool', ':=', 'cgnat')");

        var update = (await _host.MutateAsync(
            "mutation($p: ID!) { updatePlan(id: $p, input: { downloadKbps: 30000 }) { plan { downloadKbps uploadKbps } radiusUsersUpdated sessionsUpdated sessionFailures { sessionId message } } }",
            new { p = plan })).Ok().Data.GetProperty("updatePlan");

        Assert.Equal(30000, update.GetProperty("plan").GetProperty("downloadKbps").GetInt64());
        Assert.Equal(3, update.GetProperty("radiusUsersUpdated").GetInt32());
        Assert.Equal(2, update.GetProperty("sessionsUpdated").GetInt32());
        var failure = Assert.Single(update.GetProperty("sessionFailures").EnumerateArray());
        Assert.Equal(Seed.SessionId("bng-01", 2), failure.GetProperty("sessionId").GetString());
        Assert.All(_host.Sessions.RateChanges, r => Assert.Equal((30000L, 10000L), (r.DownloadKbps, r.UploadKbps)));
        var reply = await _host.ReadRowsAsync(_host.RadiusConnectionString, "SELECT username, attribute, value FROM radreply ORDER BY username, attribute");
        Assert.Equal(3, reply.Count(r => r.EndsWith("|OSS-Download-Speed|30000", StringComparison.Ordinal)));
        Assert.Contains("bng-01/relay-01/1/0/1|Framed-Pool|cgnat", reply);
    }

    [Fact]
    public async Task Suspending_then_deleting_a_service_removes_its_radius_rows()
    {
        var customer = await CreateCustomerAsync("Ada", "ada@example.net");
        var service = (await AssignAsync(customer, await CreatePlanAsync("p20", 20000, 10000), "1/0/1")).GetProperty("service").GetProperty("id").GetString();

        (await _host.MutateAsync("mutation($s: ID!) { updateService(id: $s, input: { status: \"SUSPENDED\" }) { status } }", new { s = service })).Ok();
        var afterSuspend = await RadiusAsync("radcheck");
        (await _host.MutateAsync("mutation($s: ID!) { updateService(id: $s, input: { status: \"ACTIVE\" }) { status } }", new { s = service })).Ok();
        var afterResume = await RadiusAsync("radcheck");
        (await _host.MutateAsync("mutation($s: ID!) { deleteService(id: $s) }", new { s = service })).Ok();

        Assert.Empty(afterSuspend);
        Assert.Single(afterResume);
        Assert.Empty(await RadiusAsync("radcheck"));
        Assert.Empty(await RadiusAsync("radreply"));
        Assert.Empty(await _host.ReadRowsAsync(_host.RadiusConnectionString, "SELECT * FROM radusergroup"));
    }

    [Fact]
    public async Task Changing_a_service_identity_moves_its_radius_rows()
    {
        var customer = await CreateCustomerAsync("Ada", "ada@example.net");
        var service = (await AssignAsync(customer, await CreatePlanAsync("p20", 20000, 10000), "1/0/1")).GetProperty("service").GetProperty("id").GetString();

        var updated = (await _host.MutateAsync(
            "mutation($s: ID!) { updateService(id: $s, input: { bngId: \"bng-02\", remoteId: \"relay-02\", circuitId: \"2/0/7\" }) { username circuitId } }",
            new { s = service })).Ok().Data.GetProperty("updateService");

        Assert.Equal("bng-02/relay-02/2/0/7", updated.GetProperty("username").GetString());
        Assert.Equal(["bng-02/relay-02/2/0/7|Cleartext-Password|:=|aether"], await RadiusAsync("radcheck"));
    }

    [Fact]
    public async Task Deleting_a_customer_removes_its_services_and_their_radius_rows()
    {
        var customer = await CreateCustomerAsync("Ada", "ada@example.net");
        await AssignAsync(customer, await CreatePlanAsync("p20", 20000, 10000), "1/0/1");

        var deleted = (await _host.MutateAsync("mutation($c: ID!) { deleteCustomer(id: $c) }", new { c = customer })).Ok();
        var again = await _host.MutateAsync("mutation($c: ID!) { deleteCustomer(id: $c) }", new { c = customer });

        Assert.Equal(customer, deleted.Data.GetProperty("deleteCustomer").GetString());
        Assert.Empty(await RadiusAsync("radcheck"));
        Assert.Empty(await _host.ReadRowsAsync(_host.OssConnectionString, "SELECT * FROM services"));
        Assert.Equal("NOT_FOUND", again.FirstErrorCode);
        Assert.Equal($"Customer {customer} does not exist.", again.FirstError.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Sync_restores_radius_rows_from_the_services()
    {
        var customer = await CreateCustomerAsync("Ada", "ada@example.net");
        await AssignAsync(customer, await CreatePlanAsync("p20", 20000, 10000), "1/0/1");
        await _host.ExecuteSqlAsync(_host.RadiusConnectionString, "DELETE FROM radcheck; DELETE FROM radreply; DELETE FROM radusergroup");

        var sync = (await _host.MutateAsync("mutation { syncRadius { written removed } }"))
            .Ok().Data.GetProperty("syncRadius");

        Assert.Equal(1, sync.GetProperty("written").GetInt32());
        Assert.Single(await RadiusAsync("radcheck"));
        Assert.Equal(2, (await RadiusAsync("radreply")).Count);
    }

    [Fact]
    public async Task Customers_update_and_search_and_their_sessions_are_found_through_the_service()
    {
        var customer = await CreateCustomerAsync("Ada Lovelace", "ada@example.net");
        await CreateCustomerAsync("Bob", "bob@example.net");
        await AssignAsync(customer, await CreatePlanAsync("p20", 20000, 10000), "1/0/2");
        await Seed.SessionsAsync(_host.OssConnectionString, 3);

        (await _host.MutateAsync("mutation($c: ID!) { updateCustomer(id: $c, input: { phone: \"+44 20 7946 0000\" }) { phone name } }", new { c = customer })).Ok();
        var data = (await _host.QueryAsync(
            """
            query($c: ID!) {
              customers(search: "LOVE") { totalCount nodes { name phone services { username } sessions { id } } }
              sessions(filter: { customerId: $c }) { nodes { id customer { name } service { plan { name } } } }
            }
            """, new { c = customer })).Ok().Data;

        var found = Assert.Single(data.GetProperty("customers").GetProperty("nodes").EnumerateArray());
        Assert.Equal("+44 20 7946 0000", found.GetProperty("phone").GetString());
        Assert.Equal(Seed.SessionId("bng-01", 1), Assert.Single(found.GetProperty("sessions").EnumerateArray()).GetProperty("id").GetString());
        var session = Assert.Single(data.GetProperty("sessions").GetProperty("nodes").EnumerateArray());
        Assert.Equal("Ada Lovelace", session.GetProperty("customer").GetProperty("name").GetString());
        Assert.Equal("p20", session.GetProperty("service").GetProperty("plan").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Errors_say_what_is_wrong_without_internals()
    {
        await CreateCustomerAsync("Ada", "ada@example.net");
        var plan = await CreatePlanAsync("p20", 20000, 10000);
        await AssignAsync(await CreateCustomerAsync("Bob", "bob@example.net"), plan, "1/0/1");

        var duplicate = await _host.MutateAsync("mutation { createCustomer(input: { name: \"Ada 2\", email: \"ada@example.net\" }) { id } }");
        var badEmail = await _host.MutateAsync("mutation { createCustomer(input: { name: \"Eve\", email: \"nope\" }) { id } }");
        var slow = await _host.MutateAsync("mutation { createPlan(input: { name: \"slow\", downloadKbps: 1, uploadKbps: 10 }) { id } }");
        var inUse = await _host.MutateAsync("mutation($p: ID!) { deletePlan(id: $p) }", new { p = plan });
        var missingPlan = await _host.MutateAsync("mutation { assignPlan(input: { customerId: \"1\", planId: \"999\", username: \"x\" }) { created } }");
        var noIdentity = await _host.MutateAsync("mutation { assignPlan(input: { customerId: \"1\", planId: \"1\", bngId: \"bng-01\" }) { created } }");

        Assert.Equal(("CONFLICT", "A customer with this email already exists."), Describe(duplicate));
        Assert.Equal(("BAD_USER_INPUT", "email must be an address such as name@example.net."), Describe(badEmail));
        Assert.Equal(("BAD_USER_INPUT", "downloadKbps must be between 8 and 100000000 kbit/s."), Describe(slow));
        Assert.Equal(("CONFLICT", $"Plan {plan} is used by 1 service(s); move them to another plan first."), Describe(inUse));
        Assert.Equal(("NOT_FOUND", "The plan does not exist."), Describe(missingPlan));
        Assert.Equal("BAD_USER_INPUT", Describe(noIdentity).Code);
        Assert.DoesNotContain("Npgsql", duplicate.Body.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("23505", duplicate.Body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disconnect_goes_to_the_agent_through_session_control()
    {
        _host.Sessions.Known["s-1"] = "bng-01";

        var result = (await _host.MutateAsync("mutation { disconnectSession(id: \"s-1\", cause: \"Admin-Reset\") { sessionId bngId } }")).Ok()
            .Data.GetProperty("disconnectSession");
        var unknown = await _host.MutateAsync("mutation { disconnectSession(id: \"s-404\") { sessionId } }");

        Assert.Equal("bng-01", result.GetProperty("bngId").GetString());
        Assert.Equal(("s-1", "Admin-Reset"), Assert.Single(_host.Sessions.Disconnects));
        Assert.Equal(("NOT_FOUND", "No active session s-404."), Describe(unknown));
    }

    private static (string? Code, string? Message) Describe(GraphQLResponse response) =>
        (response.FirstErrorCode, response.HasErrors ? response.FirstError.GetProperty("message").GetString() : null);

    private async Task<List<string>> RadiusAsync(string table) =>
        await _host.ReadRowsAsync(_host.RadiusConnectionString, $"SELECT username, attribute, op, value FROM {table} ORDER BY username, attribute");

    private async Task<string> CreateCustomerAsync(string name, string email) =>
        (await _host.MutateAsync("mutation($n: String!, $e: String!) { createCustomer(input: { name: $n, email: $e }) { id } }", new { n = name, e = email }))
            .Ok().Data.GetProperty("createCustomer").GetProperty("id").GetString()!;

    private async Task<string> CreatePlanAsync(string name, long down, long up) =>
        (await _host.MutateAsync("mutation($n: String!, $d: Long!, $u: Long!) { createPlan(input: { name: $n, downloadKbps: $d, uploadKbps: $u }) { id } }",
            new { n = name, d = down, u = up })).Ok().Data.GetProperty("createPlan").GetProperty("id").GetString()!;

    private async Task<JsonElement> AssignAsync(string customer, string plan, string circuit) =>
        (await _host.MutateAsync(
            "mutation($c: ID!, $p: ID!, $ci: String) { assignPlan(input: { customerId: $c, planId: $p, bngId: \"bng-01\", remoteId: \"relay-01\", circuitId: $ci }) { created sessionsUpdated service { id } } }",
            new { c = customer, p = plan, ci = circuit })).Ok().Data.GetProperty("assignPlan");
}
