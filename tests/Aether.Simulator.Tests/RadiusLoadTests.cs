using System.Net;
using System.Text.RegularExpressions;
using Aether.Radius;
using Aether.Simulator.Cli;
using Aether.Simulator.Radius;
using Aether.Simulator.Reporting;
using Aether.TestUtilities;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aether.Simulator.Tests;

/// <summary>`aether-sim radius` against a real FreeRADIUS: what it sends, what it counts, and what it measures.</summary>
public sealed partial class RadiusLoadTests : IAsyncLifetime
{
    // As the lab's load-users: the load test's subscribers are accepted with a plan, anyone else rejected.
    private const string Users = """
        DEFAULT	User-Name =~ "^bng-0[0-9]/load-[0-9]+/", Cleartext-Password := "aether"
        	Reply-Message := "welcome"

        """;

    private readonly FreeRadiusServer _radius = new() { Users = Users };

    public Task InitializeAsync() => _radius.InitializeAsync();

    public Task DisposeAsync() => _radius.DisposeAsync();

    private RadiusLoadSettings Settings(int count, string remoteId, string secret = FreeRadiusServer.Secret) => new(
        new RadiusServerEndpoint { Host = "127.0.0.1", AuthPort = _radius.AuthPort, AcctPort = _radius.AcctPort, Secret = secret },
        count,
        First: 5000,
        Concurrency: 16,
        BngId: "bng-01",
        RemoteId: remoteId,
        MacPrefix: [0x02, 0x5a],
        Password: "aether",
        NasIp: IPAddress.Loopback,
        PortId: "ld0",
        FramedBase: IPAddress.Parse("100.96.0.0"),
        Timeout: TimeSpan.FromSeconds(2),
        Retries: 1,
        CpuGroups: [new CpuGroup("freeradius", $"/usr/sbin/freeradius -d {_radius.ConfigDirectory} ")]);

    [Fact]
    public async Task Every_subscriber_is_authorized_started_and_stopped_with_the_controllers_attributes()
    {
        var result = await new RadiusLoadRunner(NullLoggerFactory.Instance).RunAsync(Settings(200, "load-42"), null, CancellationToken.None);

        Assert.True(result.Complete, RadiusCommand.Format(result));
        Assert.Equal((200, 200, 0, 0), (result.Accepted, result.Stopped, result.Rejected, result.Failed));
        Assert.Empty(result.Failures);
        Assert.Equal(200, result.SetupLatency.Count);
        Assert.True(result.SetupsPerSecond > 0 && result.StopsPerSecond > 0);

        var detail = await _radius.WaitForDetailAsync("Acct-Session-Id = \"load-42/5199\"\n\tAcct-Status-Type = Stop", TimeSpan.FromSeconds(10));
        var records = DetailRecord().Matches(detail).Select(m => m.Value).ToList();
        // One Start and one Stop per subscriber: a retransmission on a busy machine is a second record of the same one.
        Assert.Equal(200, SessionsIn(records, "Start").Count);
        Assert.Equal(200, SessionsIn(records, "Stop").Count);
        Assert.Equal(SessionsIn(records, "Start"), SessionsIn(records, "Stop"));
        // Subscriber 5000 as aether-sim load names it: circuit-id 1/1/904, MAC 02:5a:00:00:13:88.
        var start = records.First(r => r.Contains("Acct-Session-Id = \"load-42/5000\"", StringComparison.Ordinal) && r.Contains("= Start", StringComparison.Ordinal));
        Assert.Contains("User-Name = \"bng-01/load-42/1/1/904\"", start, StringComparison.Ordinal);
        Assert.Contains("Calling-Station-Id = \"02:5a:00:00:13:88\"", start, StringComparison.Ordinal);
        Assert.Contains("Framed-IP-Address = 100.96.19.136", start, StringComparison.Ordinal);
        Assert.Contains("NAS-Identifier = \"bng-01\"", start, StringComparison.Ordinal);
        Assert.Contains("NAS-Port-Id = \"ld0\"", start, StringComparison.Ordinal);
        var stop = records.First(r => r.Contains("Acct-Session-Id = \"load-42/5000\"", StringComparison.Ordinal) && r.Contains("= Stop", StringComparison.Ordinal));
        Assert.Contains("Acct-Terminate-Cause = User-Request", stop, StringComparison.Ordinal);

        // FreeRADIUS answered 400 requests and 200 stops: it spent CPU on them, and so did the machine.
        var cpu = result.Cpu.ToDictionary(c => c.Name);
        Assert.True(cpu["freeradius"].SetupMsPerSubscriber > 0, RadiusCommand.Format(result));
        Assert.True(cpu["machine"].SetupMsPerSubscriber >= cpu["freeradius"].SetupMsPerSubscriber, RadiusCommand.Format(result));
    }

    [Fact]
    public async Task Rejected_subscribers_are_counted_and_never_accounted()
    {
        var result = await new RadiusLoadRunner(NullLoggerFactory.Instance).RunAsync(Settings(20, "not-a-load-run") with { Concurrency = 20 }, null, CancellationToken.None);

        Assert.False(result.Complete);
        Assert.Equal((0, 20, 0, 0), (result.Accepted, result.Rejected, result.Failed, result.Stopped));
        Assert.Equal(20, result.Failures["reject"]);
        Assert.DoesNotContain("not-a-load-run", _radius.ReadDetail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_is_a_counted_failure_not_a_hang()
    {
        var result = await new RadiusLoadRunner(NullLoggerFactory.Instance).RunAsync(Settings(10, "load-43", secret: "not-the-secret") with { Timeout = TimeSpan.FromMilliseconds(300) }, null, CancellationToken.None);

        Assert.False(result.Complete);
        Assert.Equal((0, 0, 10), (result.Accepted, result.Rejected, result.Failed));
        Assert.Equal(10, result.Failures["access-request unanswered"]);
        Assert.True(result.Retransmissions >= 10);
        Assert.Contains("access-request unanswered 10", RadiusCommand.Format(result), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--cpu", "no-equals-sign")]
    [InlineData("--mac-prefix", "03")]
    [InlineData("--count", "0")]
    [InlineData("--nas-ip", "fe80::1")]
    [InlineData("--first", "-1")]
    [InlineData("--mac-prefix", "02:5a:00:00", "--first", "65000")]
    public async Task Bad_options_are_refused_with_exit_code_2(params string[] options)
    {
        var exit = await RadiusCommand.Create().Parse(["--secret", "s", "--auth-port", _radius.AuthPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. options]).InvokeAsync();

        Assert.Equal(2, exit);
    }

    private static HashSet<string> SessionsIn(IEnumerable<string> records, string status) => records
        .Where(r => r.Contains($"Acct-Status-Type = {status}", StringComparison.Ordinal))
        .Select(r => AcctSessionId().Match(r).Groups[1].Value)
        .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^\w{3} \w{3} .*?(?=^\w{3} \w{3} |\z)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex DetailRecord();

    [GeneratedRegex("Acct-Session-Id = \"([^\"]+)\"")]
    private static partial Regex AcctSessionId();
}
