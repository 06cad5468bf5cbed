using Aether.GraphQL.Tests.Support;
using Aether.TestUtilities;

namespace Aether.GraphQL.Tests;

[Collection(GraphQLCollection.Name)]
public sealed class DataLoaderTests(PostgresServer postgres, NatsServer nats) : IAsyncLifetime
{
    private const string Page =
        """
        query($n: Int) {
          sessions(first: $n) {
            totalCount
            nodes { id ip traffic { downBps } customer { id name } service { username plan { name downloadKbps } } }
          }
        }
        """;

    private GraphQLHost _host = null!;

    public async Task InitializeAsync() => _host = await GraphQLHost.StartAsync(postgres, nats);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_page_of_sessions_with_customer_service_plan_and_traffic_costs_the_same_queries_whatever_its_size()
    {
        await Seed.SessionsAsync(_host.OssConnectionString, 50);
        await _host.ExecuteSqlAsync(_host.OssConnectionString,
            """
            INSERT INTO plans (name, download_kbps, upload_kbps) VALUES ('p20', 20000, 10000), ('p50', 50000, 20000);
            INSERT INTO customers (name, email) SELECT 'Customer ' || i, 'c' || i || '@example.net' FROM generate_series(0, 49) i;
            INSERT INTO services (customer_id, plan_id, username)
            SELECT c.customer_id, 1 + (c.customer_id % 2), 'bng-01/relay-01/1/0/' || c.customer_id FROM customers c;
            """);
        using var counter = new SqlCommandCounter(_host.OssDatabase);
        await _host.QueryAsync(Page, new { n = 1 }); // warm-up: connections, prepared statements

        // The counter sees every command on the database in this process, other tests' included: the fewest over a
        // few runs is the page's own cost (others only ever add).
        GraphQLResponse small = default!, large = default!;
        int smallCount = int.MaxValue, largeCount = int.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            counter.Reset();
            small = (await _host.QueryAsync(Page, new { n = 5 })).Ok();
            smallCount = Math.Min(smallCount, counter.Count);
            counter.Reset();
            large = (await _host.QueryAsync(Page, new { n = 50 })).Ok();
            largeCount = Math.Min(largeCount, counter.Count);
        }

        var nodes = large.Data.GetProperty("sessions").GetProperty("nodes");
        Assert.Equal(50, nodes.GetArrayLength());
        Assert.All(nodes.EnumerateArray(), n => Assert.StartsWith("Customer ", n.GetProperty("customer").GetProperty("name").GetString(), StringComparison.Ordinal));
        Assert.Equal("p50", nodes[0].GetProperty("service").GetProperty("plan").GetProperty("name").GetString());
        Assert.Equal(5, small.Data.GetProperty("sessions").GetProperty("nodes").GetArrayLength());
        // Sessions page and count (one batch), customers, services, plans, traffic: five round trips at any page size.
        Assert.Equal(5, smallCount);
        Assert.Equal(smallCount, largeCount);
    }
}
