using Aether.Contracts.Agent.V1;
using Aether.Controller.Aaa;
using Aether.Controller.Sessions;
using Aether.Controller.Tests.Support;
using Aether.Radius;
using Aether.TestUtilities;
using Microsoft.Extensions.Time.Testing;

namespace Aether.Controller.Tests.Sessions;

/// <summary>The controller's accounting against a real FreeRADIUS: what its detail module records is what the agent counted.</summary>
[Collection(ControllerServers.Name)]
public sealed class AccountingFreeRadiusTests(FreeRadiusServer radius)
{
    // Upload (from the subscriber) over 4 GiB: 1 Gigaword + 705,032,827; download over 8 GiB: 2 Gigawords + 1,234.
    private const ulong BytesUp = 5_000_000_123;
    private const ulong BytesDown = (2UL << 32) + 1_234;

    private static string Attribute(string record, string name)
    {
        var line = record.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + " = ", StringComparison.Ordinal));
        return line?[(name.Length + 3)..] ?? throw new Xunit.Sdk.XunitException($"{name} missing from:\n{record}");
    }

    [Fact]
    public async Task Interim_and_stop_carry_the_agents_counters_with_input_as_the_subscribers_upload()
    {
        var log = new TestLog();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new ControllerOptions { AcctInterimIntervalSeconds = 10 };
        await using var client = new RadiusClient(new RadiusClientOptions
        {
            Servers = [new RadiusServerEndpoint { Host = "127.0.0.1", AuthPort = radius.AuthPort, AcctPort = radius.AcctPort, Secret = FreeRadiusServer.Secret }],
        }, log.For<RadiusClient>());
        var queue = new AccountingQueue(client, Microsoft.Extensions.Options.Options.Create(options), time, log.For<AccountingQueue>());
        await queue.StartAsync(TestTimeouts.Token());
        var session = new LiveSession
        {
            SessionId = "acct-" + Guid.NewGuid().ToString("N"),
            BngId = "bng-test",
            UserName = "bng-test/relay-01/1/0/1",
            State = RawAgentStream.Session("unused", "100.64.0.77"),
            Started = time.GetUtcNow(),
        };

        queue.Start(session);
        session.Counters = new Counters { BytesUp = 1_000, BytesDown = 2_000, PacketsUp = 10, PacketsDown = 20 };
        time.Advance(TimeSpan.FromSeconds(11));
        queue.InterimIfDue(session);
        session.Counters = new Counters { BytesUp = BytesUp, BytesDown = BytesDown, PacketsUp = 4_000_000, PacketsDown = 6_000_000 };
        time.Advance(TimeSpan.FromSeconds(30));
        queue.Stop(session, "User-Request");

        List<string> Records() => [.. radius.ReadDetail().Split("\n\n").Where(r => r.Contains(session.SessionId, StringComparison.Ordinal))];
        await TestTimeouts.WaitUntilAsync(() => Records().Any(r => r.Contains("Acct-Status-Type = Stop", StringComparison.Ordinal)), "the Stop in the detail file");
        await queue.StopAsync(CancellationToken.None);
        var records = Records();
        var interim = Assert.Single(records, r => r.Contains("Acct-Status-Type = Interim-Update", StringComparison.Ordinal));
        var stop = Assert.Single(records, r => r.Contains("Acct-Status-Type = Stop", StringComparison.Ordinal));
        Assert.Single(records, r => r.Contains("Acct-Status-Type = Start", StringComparison.Ordinal));

        Assert.Equal("1000", Attribute(interim, "Acct-Input-Octets"));
        Assert.Equal("2000", Attribute(interim, "Acct-Output-Octets"));
        Assert.Equal("0", Attribute(interim, "Acct-Input-Gigawords"));
        Assert.Equal("10", Attribute(interim, "Acct-Input-Packets"));
        Assert.Equal("20", Attribute(interim, "Acct-Output-Packets"));

        Assert.Equal("705032827", Attribute(stop, "Acct-Input-Octets"));
        Assert.Equal("1", Attribute(stop, "Acct-Input-Gigawords"));
        Assert.Equal("1234", Attribute(stop, "Acct-Output-Octets"));
        Assert.Equal("2", Attribute(stop, "Acct-Output-Gigawords"));
        Assert.Equal(BytesUp, (ulong.Parse(Attribute(stop, "Acct-Input-Gigawords"), System.Globalization.CultureInfo.InvariantCulture) << 32)
            + ulong.Parse(Attribute(stop, "Acct-Input-Octets"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("4000000", Attribute(stop, "Acct-Input-Packets"));
        Assert.Equal("6000000", Attribute(stop, "Acct-Output-Packets"));
        Assert.Equal("41", Attribute(stop, "Acct-Session-Time"));
        Assert.Equal("User-Request", Attribute(stop, "Acct-Terminate-Cause"));
        log.AssertNoErrors();
    }
}
