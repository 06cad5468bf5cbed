using Aether.Simulator.Hosts;
using Aether.Simulator.Provisioning;
using Aether.Simulator.Traffic;

namespace Aether.Simulator.Tests;

public sealed class HostDriverTests
{
    [Fact]
    public void Provisioning_data_is_the_same_for_a_seed()
    {
        var first = Provisioner.Generate(20, 7, "bng-01", "relay-01", 1);
        var second = Provisioner.Generate(20, 7, "bng-01", "relay-01", 1);

        Assert.Equal(first.Customers, second.Customers);
        Assert.Equal(20, first.Customers.Select(c => c.Email).Distinct().Count());
        Assert.Equal("1/0/1", first.Customers[0].CircuitId);
        Assert.Equal("1/0/20", first.Customers[^1].CircuitId);
        Assert.All(first.Customers, c => Assert.Contains(first.Plans, p => p.Name == c.Plan));
    }

    [Fact]
    public void Provisioning_for_named_lines_on_one_plan_keeps_emails_apart_between_access_nodes()
    {
        Assert.True(Provisioner.TryParsePlan("residential-20=20000/10000", out var plan));
        Assert.Equal(new PlanSpec("residential-20", 20_000, 10_000, null), plan);

        var relay1 = Provisioner.Generate(["1/0/1", "1/0/2", "1/0/4"], 1, "bng-01", "relay-01", [plan]);
        var relay2 = Provisioner.Generate(["1/0/1", "1/0/2", "1/0/4"], 1, "bng-01", "relay-02", [plan]);

        Assert.Equal(["1/0/1", "1/0/2", "1/0/4"], relay1.Customers.Select(c => c.CircuitId));
        Assert.All(relay1.Customers, c => Assert.Equal("residential-20", c.Plan));
        Assert.Empty(relay1.Customers.Select(c => c.Email).Intersect(relay2.Customers.Select(c => c.Email)));
    }

    [Theory]
    [InlineData("residential-20")]
    [InlineData("=20000/10000")]
    [InlineData("x=20M/10M")]
    [InlineData("x=0/10")]
    public void A_plan_that_is_not_NAME_DOWN_UP_is_refused(string text) => Assert.False(Provisioner.TryParsePlan(text, out _));

    [Fact]
    public void Weighted_pick_follows_cumulative_weights()
    {
        TrafficAction[] actions = [new() { Name = "web", Weight = 3 }, new() { Name = "dns", Weight = 1 }];

        Assert.Equal("web", TrafficRunner.Pick(actions, 4, 0.0).Name);
        Assert.Equal("web", TrafficRunner.Pick(actions, 4, 0.74).Name);
        Assert.Equal("dns", TrafficRunner.Pick(actions, 4, 0.75).Name);
        Assert.Equal("dns", TrafficRunner.Pick(actions, 4, 0.9999).Name);
    }

    [Fact]
    public void Example_traffic_config_is_valid()
    {
        var path = Path.Combine(FindRepositoryRoot(), "lab", "sim", "traffic.json");

        var config = TrafficConfig.Load(path);

        Assert.Empty(config.Validate());
        Assert.Contains(config.Actions, a => a.Command[0] == "iperf3");
    }

    [Fact]
    public void Traffic_config_reports_every_problem()
    {
        var config = new TrafficConfig { Duration = "soon", Hosts = [], Actions = [new() { Name = "", Weight = 0, Command = [] }] };

        Assert.True(config.Validate().Count >= 5);
    }

    [Fact]
    public void Address_is_read_from_ip_addr_output()
    {
        const string output = "2: eth0    inet 100.64.0.23/24 brd 100.64.0.255 scope global dynamic eth0\\       valid_lft 598sec preferred_lft 598sec\n";

        Assert.Equal("100.64.0.23/24", OnlineRunner.ParseAddress(output));
        Assert.Null(OnlineRunner.ParseAddress(""));
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Aether.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Aether.sln not found above the test binaries.");
    }
}
