using System.Globalization;
using Aether.Agent.Tests.Support;
using Aether.Contracts.Agent.V1;
using Aether.TestUtilities;

namespace Aether.Agent.Tests.EndToEnd;

/// <summary>
/// The whole path in namespaces: dhclient in the client namespaces, the agent binary in the BNG namespace (sub0
/// inserts Option 82, sub1 is untrusted), Kea (memfile) in the server namespace, and a test controller in this
/// process, reached over a veth from the BNG namespace to this one (198.19.0.0/16, inside 198.18.0.0/15).
/// </summary>
public sealed class EndToEndLab : IAsyncLifetime
{
    public const string BngId = "bng-e2e";
    public const string Sub0Circuit = "bng-e2e/sub0";

    private readonly TempDirectory _dir = new();
    private readonly List<string> _resolvConfs = [];
    private BackgroundProcess? _kea;

    public NetworkLab Net { get; } = new();

    public TestController Controller { get; private set; } = null!;

    public BackgroundProcess? Agent { get; private set; }

    public string StateDirectory => Path.Combine(_dir.Path, "agent");

    private string ManagementRoot => $"198.19.{Net.Index}.1";

    private string ManagementBng => $"198.19.{Net.Index}.2";

    public async Task InitializeAsync()
    {
        await Net.InitializeAsync();
        var rootEnd = Net.Id + "r";
        await NetworkLab.Ip("link", "add", rootEnd, "type", "veth", "peer", "name", "mg0", "netns", Net.Bng);
        await NetworkLab.Ip("addr", "add", ManagementRoot + "/30", "dev", rootEnd);
        await NetworkLab.Ip("link", "set", rootEnd, "up");
        await NetworkLab.In(Net.Bng, "ip", "addr", "add", ManagementBng + "/30", "dev", "mg0");
        await NetworkLab.In(Net.Bng, "ip", "link", "set", "mg0", "up");
        foreach (var client in new[] { Net.Client, Net.Client2 })
        {
            // Addresses come from DHCP; dhclient-script writes resolv.conf, which `ip netns exec` keeps per namespace.
            await NetworkLab.In(client, "ip", "addr", "flush", "dev", "eth0");
            var etc = $"/etc/netns/{client}";
            Directory.CreateDirectory(etc);
            await File.WriteAllTextAsync(Path.Combine(etc, "resolv.conf"), "");
            _resolvConfs.Add(etc);
        }
        Controller = new TestController(ManagementRoot);
        await Controller.StartAsync();
        await StartKeaAsync();
    }

    public async Task DisposeAsync()
    {
        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }
        if (_kea is not null)
        {
            await _kea.DisposeAsync();
        }
        await Controller.DisposeAsync();
        await Net.DisposeAsync();
        foreach (var etc in _resolvConfs)
        {
            Directory.Delete(etc, recursive: true);
        }
        _dir.Dispose();
    }

    public async Task StartAgentAsync(params string[] extra)
    {
        Agent = BackgroundProcess.Start("agent", "ip",
        [
            "netns", "exec", Net.Bng, "dotnet", AgentBinary(),
            $"--Agent:BngId={BngId}",
            $"--Agent:Controller={Controller.Url}",
            $"--Agent:DhcpServer={Net.ServerIp}",
            "--Agent:SubscriberInterfaces:0:Name=sub0",
            $"--Agent:SubscriberInterfaces:0:GatewayIp={Net.Gateway0}",
            "--Agent:SubscriberInterfaces:0:Option82=Insert",
            $"--Agent:SubscriberInterfaces:0:CircuitId={Sub0Circuit}",
            "--Agent:SubscriberInterfaces:1:Name=sub1",
            $"--Agent:SubscriberInterfaces:1:GatewayIp={Net.Gateway1}",
            "--Agent:SubscriberInterfaces:1:Option82=Untrusted",
            $"--Agent:StateDirectory={StateDirectory}",
            "--Agent:CounterInterval=00:00:01",
            "--Agent:HealthInterval=00:00:01",
            "--Logging:LogLevel:Aether.Agent.Sessions.SessionManager=Debug",
            .. extra,
        ]);
        await Agent.WaitForAsync("Relaying DHCP to");
    }

    /// <summary>dhclient -1 in a client namespace: returns its address once it is bound.</summary>
    public async Task<string> LeaseAsync(string clientNamespace)
    {
        var files = Path.Combine(_dir.Path, clientNamespace);
        Directory.CreateDirectory(files);
        var result = await ProcessRunner.RunAsync("ip",
            ["netns", "exec", clientNamespace, "dhclient", "-1", "-v", "-pf", Path.Combine(files, "pid"), "-lf", Path.Combine(files, "leases"), "eth0"],
            TimeSpan.FromSeconds(60));
        result.EnsureSuccess($"dhclient in {clientNamespace}:\n{string.Join('\n', Agent?.Lines ?? new())}");
        var address = await NetworkLab.In(clientNamespace, "ip", "-4", "-o", "addr", "show", "dev", "eth0");
        return address.StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(p => p != "inet").Skip(1).First().Split('/')[0];
    }

    /// <summary>dhclient -r: sends DHCPRELEASE and stops the client.</summary>
    public async Task ReleaseAsync(string clientNamespace)
    {
        var files = Path.Combine(_dir.Path, clientNamespace);
        (await ProcessRunner.RunAsync("ip",
            ["netns", "exec", clientNamespace, "dhclient", "-r", "-v", "-pf", Path.Combine(files, "pid"), "-lf", Path.Combine(files, "leases"), "eth0"],
            TimeSpan.FromSeconds(30))).EnsureSuccess("dhclient -r");
    }

    /// <summary>Broadcasts a DHCP payload to port 67 from a client namespace (which must have an address).</summary>
    public async Task BroadcastAsync(string clientNamespace, byte[] payload)
    {
        var file = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, payload);
        const string script = "import socket,sys\n"
            + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            + "s.setsockopt(socket.SOL_SOCKET,socket.SO_BROADCAST,1)\n"
            + "s.setsockopt(socket.SOL_SOCKET,socket.SO_BINDTODEVICE,b'eth0')\n"
            + "s.sendto(open(sys.argv[1],'rb').read(),('255.255.255.255',67))\n";
        await NetworkLab.In(clientNamespace, "python3", "-c", script, file);
    }

    /// <summary>The agent's SessionStarted for the address; the report may reach the controller just after the client's ACK.</summary>
    public async Task<SessionState> StartedSessionAsync(string ip)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var session = Controller.Of(AgentMessage.BodyOneofCase.SessionStarted).Select(m => m.SessionStarted.Session).LastOrDefault(s => s.Ip == ip);
            if (session is not null)
            {
                return session;
            }
            Assert.True(DateTime.UtcNow < deadline, $"no SessionStarted for {ip} reached the controller");
            await Task.Delay(50);
        }
    }

    public IEnumerable<SessionStopped> Stops => Controller.Of(AgentMessage.BodyOneofCase.SessionStopped).Select(m => m.SessionStopped);

    /// <summary>The agent logged no error (its console format marks them "fail:" and "crit:").</summary>
    public void AssertAgentLoggedNoErrors() =>
        Assert.DoesNotContain(Agent!.Lines, l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal));

    /// <summary>The agent as built beside this test project (same configuration), with its own dependencies.</summary>
    private static string AgentBinary()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Aether.sln")))
        {
            root = root.Parent;
        }
        var binary = Path.Combine(root!.FullName, "src", "Aether.Agent", "bin", configuration, framework, "aether-agent.dll");
        return File.Exists(binary) ? binary : throw new FileNotFoundException("build src/Aether.Agent first", binary);
    }

    private async Task StartKeaAsync()
    {
        var kea = Path.Combine(_dir.Path, "kea");
        Directory.CreateDirectory(kea);
        var config = Path.Combine(kea, "kea-dhcp4.json");
        var i = Net.Index.ToString(CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(config, $$"""
            {
              "Dhcp4": {
                "interfaces-config": { "interfaces": [ "eth0" ], "dhcp-socket-type": "udp" },
                "lease-database": { "type": "memfile", "persist": true, "name": "{{kea}}/leases.csv", "lfc-interval": 0 },
                "valid-lifetime": 30,
                "renew-timer": 4,
                "rebind-timer": 20,
                "authoritative": true,
                "subnet4": [
                  { "id": 1, "subnet": "100.64.{{i}}.0/24", "pools": [ { "pool": "100.64.{{i}}.100 - 100.64.{{i}}.150" } ],
                    "option-data": [ { "name": "routers", "data": "100.64.{{i}}.1" } ] },
                  { "id": 2, "subnet": "100.65.{{i}}.0/24", "pools": [ { "pool": "100.65.{{i}}.100 - 100.65.{{i}}.150" } ],
                    "option-data": [ { "name": "routers", "data": "100.65.{{i}}.1" } ] }
                ],
                "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
              }
            }
            """);
        _kea = BackgroundProcess.Start("kea", "ip", ["netns", "exec", Net.Server, "kea-dhcp4", "-c", config],
            new Dictionary<string, string> { ["KEA_PIDFILE_DIR"] = kea, ["KEA_LOCKFILE_DIR"] = kea, ["KEA_LOGGER_DESTINATION"] = "stdout" });
        await _kea.WaitForAsync("DHCP4_STARTED");
    }
}
