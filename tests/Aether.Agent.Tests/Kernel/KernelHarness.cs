using System.Globalization;
using System.Text.RegularExpressions;
using Aether.Agent.Kernel;
using Aether.Agent.Tests.Support;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Tests.Kernel;

/// <summary>A <see cref="SessionKernel"/> programming the BNG namespace of a <see cref="NetworkLab"/>.</summary>
internal sealed partial class KernelHarness : IAsyncDisposable
{
    private readonly NetworkLab _lab;

    public KernelHarness(NetworkLab lab, TestLog? log = null, int shards = 4)
    {
        _lab = lab;
        Log = log ?? new TestLog();
        Options = TestOptions.Valid("/tmp/unused", "sub0", "sub1");
        Options.SubscriberInterfaces[0].GatewayIp = lab.Gateway0;
        Options.SubscriberInterfaces[1].GatewayIp = lab.Gateway1;
        Options.ShapingShards = shards;
        Runner = new CommandRunner(lab.Bng);
        Kernel = new SessionKernel(TestOptions.Wrap(Options), Runner, Log.For<SessionKernel>());
    }

    public AgentOptions Options { get; }

    public CommandRunner Runner { get; }

    public SessionKernel Kernel { get; }

    public TestLog Log { get; }

    public static ShapingPolicy Plan(ulong downKbps, ulong upKbps) => new() { PolicyId = "test", DownloadKbps = downKbps, UploadKbps = upKbps };

    public Task StartAsync() => Kernel.StartAsync(TestTimeouts.Token());

    public async Task<KernelResult> ApplyAsync(KernelOperation op)
    {
        var result = await Kernel.ApplyAsync(op, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);
        Assert.True(result.Succeeded, result.Error);
        return result;
    }

    public Task<KernelResult> InstallAsync(string ip, ushort classId, ShapingPolicy policy, string iface = "sub0") =>
        ApplyAsync(new InstallSession(Ipv4Address.Parse(ip), iface, classId, policy));

    public async Task<string> TcAsync(params string[] args) => (await NetworkLab.In(_lab.Bng, ["tc", .. args])).StandardOutput;

    /// <summary>Bytes HTB sent through a class.</summary>
    public async Task<long> ClassBytesAsync(string dev, ushort classId)
    {
        var output = await TcAsync("-s", "class", "show", "dev", dev, "classid", $"1:{classId:x}");
        var match = SentBytes().Match(output);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    public string Down(string ip, string iface = "sub0") => TcScript.DownloadDevice(iface, Ipv4Address.Parse(ip), Options.ShapingShards);

    public string Up(string ip, string iface = "sub0") => TcScript.UploadDevice(iface, Ipv4Address.Parse(ip), Options.ShapingShards);

    public async Task<bool> ElementExistsAsync(string ip)
    {
        var counters = await Kernel.ReadCountersAsync(TestTimeouts.Token());
        return counters.ContainsKey(Ipv4Address.Parse(ip).Value);
    }

    public async ValueTask DisposeAsync() => await Kernel.StopAsync(CancellationToken.None);

    [GeneratedRegex(@"Sent (\d+) bytes")]
    private static partial Regex SentBytes();
}
