using System.Globalization;
using Aether.TestUtilities;

namespace Aether.Agent.Tests.Support;

/// <summary>
/// A BNG in network namespaces of its own: "&lt;id&gt;b" (the BNG, forwarding) with subscriber interfaces sub0 and
/// sub1 to two client namespaces ("&lt;id&gt;c", "&lt;id&gt;d") and an uplink up0 to a server namespace ("&lt;id&gt;s").
/// Subscribers on 100.64.0.0/10, the link on 198.18.0.0/15; all removed on disposal.
/// </summary>
public sealed class NetworkLab : IAsyncLifetime
{
    private static int s_next = Random.Shared.Next(0, 60);

    public NetworkLab()
    {
        Id = "agt" + Guid.NewGuid().ToString("N")[..5];
        Index = 100 + (Interlocked.Increment(ref s_next) % 60);
    }

    public string Id { get; }

    public int Index { get; }

    public string Bng => Id + "b";

    public string Client => Id + "c";

    public string Client2 => Id + "d";

    public string Server => Id + "s";

    public string Gateway0 => $"100.64.{Index}.1";

    public string ClientIp => $"100.64.{Index}.10";

    public string Gateway1 => $"100.65.{Index}.1";

    public string Client2Ip => $"100.65.{Index}.10";

    public string BngUplinkIp => $"198.18.{Index}.1";

    public string ServerIp => $"198.18.{Index}.2";

    public IEnumerable<string> Namespaces => [Bng, Client, Client2, Server];

    public async Task InitializeAsync()
    {
        foreach (var ns in Namespaces)
        {
            await Ip("netns", "add", ns);
            await In(ns, "ip", "link", "set", "lo", "up");
        }
        await Ip("link", "add", "sub0", "netns", Bng, "type", "veth", "peer", "name", "eth0", "netns", Client);
        await Ip("link", "add", "sub1", "netns", Bng, "type", "veth", "peer", "name", "eth0", "netns", Client2);
        await Ip("link", "add", "up0", "netns", Bng, "type", "veth", "peer", "name", "eth0", "netns", Server);
        await Address(Bng, "sub0", Gateway0 + "/24");
        await Address(Bng, "sub1", Gateway1 + "/24");
        await Address(Bng, "up0", BngUplinkIp + "/30");
        await Address(Client, "eth0", ClientIp + "/24");
        await Address(Client2, "eth0", Client2Ip + "/24");
        await Address(Server, "eth0", ServerIp + "/30");
        await In(Client, "ip", "route", "add", "default", "via", Gateway0);
        await In(Client2, "ip", "route", "add", "default", "via", Gateway1);
        await In(Server, "ip", "route", "add", "100.64.0.0/10", "via", BngUplinkIp);
        await In(Bng, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    }

    public async Task DisposeAsync()
    {
        foreach (var ns in Namespaces)
        {
            await ProcessRunner.RunAsync("ip", ["netns", "pids", ns]).ContinueWith(async t =>
            {
                foreach (var pid in (t.Result.StandardOutput ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    await ProcessRunner.RunAsync("kill", ["-9", pid.Trim()]);
                }
            }, TaskScheduler.Default).Unwrap();
            await ProcessRunner.RunAsync("ip", ["netns", "del", ns]);
        }
    }

    public static Task<ProcessResult> Ip(params string[] args) => Run("ip", args);

    public static Task<ProcessResult> In(string ns, params string[] command) => Run("ip", ["netns", "exec", ns, .. command]);

    /// <summary>Runs a command in a namespace and returns its result whatever the exit code.</summary>
    public static Task<ProcessResult> TryIn(string ns, params string[] command) =>
        ProcessRunner.RunAsync("ip", ["netns", "exec", ns, .. command], TestTimeouts.Await);

    /// <summary>Pings from a namespace; true when every echo was answered.</summary>
    public async Task<bool> PingAsync(string fromNamespace, string to, int count = 3)
    {
        var result = await TryIn(fromNamespace, "ping", "-c", count.ToString(CultureInfo.InvariantCulture), "-i", "0.2", "-W", "1", "-s", "972", to);
        return result.ExitCode == 0;
    }

    private Task<ProcessResult> Address(string ns, string dev, string cidr) => Chain(ns, dev, cidr);

    private static async Task<ProcessResult> Chain(string ns, string dev, string cidr)
    {
        await In(ns, "ip", "addr", "add", cidr, "dev", dev);
        return await In(ns, "ip", "link", "set", dev, "up");
    }

    private static async Task<ProcessResult> Run(string file, string[] args) =>
        (await ProcessRunner.RunAsync(file, args, TestTimeouts.Await)).EnsureSuccess($"{file} {string.Join(' ', args)}");
}
