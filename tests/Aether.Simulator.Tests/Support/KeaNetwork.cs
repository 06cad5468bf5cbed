using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Aether.TestUtilities;

namespace Aether.Simulator.Tests.Support;

/// <summary>A lease as Kea's lease4-get-all reports it.</summary>
public sealed record KeaLease(string HardwareAddress, string IpAddress, string? UserContext);

/// <summary>
/// Network namespaces of the simulator's own (names "sim" + a random suffix) with two real Kea servers:
/// <list type="bullet">
/// <item>"u": kea-dhcp4 with UDP sockets on eth0 198.18.254.1/30, serving 100.64.0.0/16 to relays; the client
/// namespace "c" is the relay: eth0 198.18.254.2/30 and giaddr 100.64.0.1 on its loopback.</item>
/// <item>"r": kea-dhcp4 with raw sockets on eth1 100.65.0.1/16 (a link to "c"'s eth1, no address there: direct
/// clients) and eth2 100.66.0.1/24 (a link to host namespace "h", for dhclient).</item>
/// </list>
/// "u" also serves HTTP on 198.18.254.1:8080 for the traffic test. Everything is removed on dispose.
/// </summary>
public sealed class KeaNetwork : IAsyncLifetime
{
    public const string RelayServer = "198.18.254.1";
    public const string Giaddr = "100.64.0.1";
    public const string RelaySubnetPrefix = "100.64.";
    public const string DirectSubnetPrefix = "100.65.";
    public const string HostSubnetPrefix = "100.66.0.";
    public const string HttpUrl = "http://198.18.254.1:8080/";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly string _suffix = Convert.ToHexString(Guid.NewGuid().ToByteArray())[..6].ToLowerInvariant();
    private readonly List<Process> _servers = [];
    private string? _directory;

    public string ClientNamespace => $"sim{_suffix}c";

    public string UdpKeaNamespace => $"sim{_suffix}u";

    public string RawKeaNamespace => $"sim{_suffix}r";

    public string HostNamespace => $"sim{_suffix}h";

    public string Directory => _directory ?? throw new InvalidOperationException("Not initialised.");

    public string UdpKeaSocket => Path.Combine(Directory, "udp", "kea4.sock");

    public string RawKeaSocket => Path.Combine(Directory, "raw", "kea4.sock");

    /// <summary>The built simulator beside the tests.</summary>
    public static string SimulatorDll => Path.Combine(AppContext.BaseDirectory, "aether-sim.dll");

    public async Task InitializeAsync()
    {
        _directory = System.IO.Directory.CreateTempSubdirectory("aether-sim-kea-").FullName;
        foreach (var ns in new[] { ClientNamespace, UdpKeaNamespace, RawKeaNamespace, HostNamespace })
        {
            await Ip("netns", "add", ns);
            await Ip("-n", ns, "link", "set", "lo", "up");
        }

        System.IO.Directory.CreateDirectory(Path.Combine("/etc/netns", HostNamespace));
        await File.WriteAllTextAsync(Path.Combine("/etc/netns", HostNamespace, "resolv.conf"), "");

        await Veth(ClientNamespace, "eth0", UdpKeaNamespace, "eth0");
        await Ip("-n", UdpKeaNamespace, "addr", "add", $"{RelayServer}/30", "dev", "eth0");
        await Ip("-n", ClientNamespace, "addr", "add", "198.18.254.2/30", "dev", "eth0");
        await Ip("-n", ClientNamespace, "addr", "add", $"{Giaddr}/32", "dev", "lo");
        await Ip("-n", UdpKeaNamespace, "route", "add", "100.64.0.0/16", "via", "198.18.254.2");

        await Veth(ClientNamespace, "eth1", RawKeaNamespace, "eth1");
        await Ip("-n", RawKeaNamespace, "addr", "add", "100.65.0.1/16", "dev", "eth1");
        await Veth(HostNamespace, "eth0", RawKeaNamespace, "eth2");
        await Ip("-n", RawKeaNamespace, "addr", "add", $"{HostSubnetPrefix}1/24", "dev", "eth2");

        await StartKeaAsync("udp", UdpKeaNamespace, ["eth0"], """
            { "id": 1, "subnet": "100.64.0.0/16", "pools": [ { "pool": "100.64.0.10 - 100.64.255.250" } ],
              "option-data": [ { "name": "routers", "data": "100.64.0.1" } ] }
            """);
        await StartKeaAsync("raw", RawKeaNamespace, ["eth1", "eth2"], """
            { "id": 2, "subnet": "100.65.0.0/16", "interface": "eth1", "pools": [ { "pool": "100.65.0.10 - 100.65.255.250" } ],
              "option-data": [ { "name": "routers", "data": "100.65.0.1" } ] },
            { "id": 3, "subnet": "100.66.0.0/24", "interface": "eth2", "pools": [ { "pool": "100.66.0.10 - 100.66.0.250" } ],
              "option-data": [ { "name": "routers", "data": "100.66.0.1" } ] }
            """);

        var www = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "www")).FullName;
        await File.WriteAllTextAsync(Path.Combine(www, "index.html"), "aether-sim test page\n");
        Start("http", ["ip", "netns", "exec", UdpKeaNamespace, "python3", "-m", "http.server", "--bind", RelayServer, "--directory", www, "8080"], null);
        await WaitForAsync("the HTTP server", async () =>
            (await ProcessRunner.RunAsync("ip", ["netns", "exec", ClientNamespace, "curl", "-sf", "-o", "/dev/null", HttpUrl], TimeSpan.FromSeconds(5))).ExitCode == 0);
    }

    /// <summary>Runs aether-sim inside <paramref name="ns"/> and returns what it did.</summary>
    public static Task<ProcessResult> RunSimulatorAsync(string ns, IEnumerable<string> arguments, TimeSpan timeout) =>
        ProcessRunner.RunAsync("ip", ["netns", "exec", ns, "dotnet", SimulatorDll, .. arguments], timeout);

    /// <summary>Runs aether-sim here (root namespace).</summary>
    public static Task<ProcessResult> RunSimulatorHereAsync(IEnumerable<string> arguments, TimeSpan timeout) =>
        ProcessRunner.RunAsync("dotnet", [SimulatorDll, .. arguments], timeout);

    /// <summary>Every lease the server holds, through its control socket (lease_cmds hook).</summary>
    public static async Task<IReadOnlyList<KeaLease>> GetLeasesAsync(string controlSocket)
    {
        var response = await CommandAsync(controlSocket, """{ "command": "lease4-get-all" }""");
        var leases = response["arguments"]?["leases"]?.AsArray() ?? [];
        return [.. leases.Select(l => new KeaLease(
            l!["hw-address"]!.GetValue<string>(),
            l["ip-address"]!.GetValue<string>(),
            l["user-context"]?.ToJsonString()))];
    }

    public static async Task<JsonNode> CommandAsync(string controlSocket, string command)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(controlSocket), timeout.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes(command), SocketFlags.None, timeout.Token);
        var buffer = new byte[64 * 1024];
        using var response = new MemoryStream();
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }

            response.Write(buffer, 0, read);
        }

        return JsonNode.Parse(response.ToArray()) ?? throw new InvalidOperationException("Kea answered nothing.");
    }

    private async Task StartKeaAsync(string name, string ns, IReadOnlyList<string> interfaces, string subnets)
    {
        var directory = System.IO.Directory.CreateDirectory(Path.Combine(Directory, name)).FullName;
        var config = Path.Combine(directory, "kea-dhcp4.json");
        string socketType = name == "raw" ? "raw" : "udp";
        await File.WriteAllTextAsync(config, $$"""
            { "Dhcp4": {
              "interfaces-config": { "interfaces": [ {{string.Join(", ", interfaces.Select(i => $"\"{i}\""))}} ], "dhcp-socket-type": "{{socketType}}" },
              "control-socket": { "socket-type": "unix", "socket-name": "{{Path.Combine(directory, "kea4.sock")}}" },
              "lease-database": { "type": "memfile", "persist": true, "name": "{{Path.Combine(directory, "leases4.csv")}}", "lfc-interval": 0 },
              "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" } ],
              "store-extended-info": true,
              "valid-lifetime": 3600,
              "subnet4": [ {{subnets}} ],
              "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "{{Path.Combine(directory, "kea.log")}}" } ], "severity": "WARN" } ]
            } }
            """);
        Start($"kea-{name}", ["ip", "netns", "exec", ns, "kea-dhcp4", "-c", config], new Dictionary<string, string>
        {
            ["KEA_PIDFILE_DIR"] = directory,
            ["KEA_LOCKFILE_DIR"] = directory,
        });
        var socket = Path.Combine(directory, "kea4.sock");
        await WaitForAsync($"kea-dhcp4 ({name})", async () =>
        {
            if (!File.Exists(socket))
            {
                return false;
            }

            try
            {
                var answer = await CommandAsync(socket, """{ "command": "list-commands" }""");
                return answer["result"]?.GetValue<int>() == 0;
            }
            catch (SocketException)
            {
                return false;
            }
        });
    }

    private void Start(string name, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _servers.Add(process);
    }

    private async Task WaitForAsync(string what, Func<Task<bool>> ready)
    {
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_servers.Any(p => p.HasExited))
            {
                throw new InvalidOperationException($"A server exited while waiting for {what}; see {Directory}.");
            }

            if (await ready())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{what} was not ready within {s_startTimeout.TotalSeconds} s; see {Directory}.");
    }

    private static async Task Veth(string nsA, string nameA, string nsB, string nameB)
    {
        await Ip("link", "add", nameA, "netns", nsA, "type", "veth", "peer", "name", nameB, "netns", nsB);
        await Ip("-n", nsA, "link", "set", nameA, "up");
        await Ip("-n", nsB, "link", "set", nameB, "up");
    }

    private static async Task Ip(params string[] arguments) =>
        (await ProcessRunner.RunAsync("ip", arguments, TimeSpan.FromSeconds(20))).EnsureSuccess("ip " + string.Join(' ', arguments));

    public async Task DisposeAsync()
    {
        foreach (var process in _servers)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        foreach (var ns in new[] { HostNamespace, ClientNamespace, UdpKeaNamespace, RawKeaNamespace })
        {
            // dhclient daemons started by the online test live on in the host namespace: end them by pid.
            var pids = await ProcessRunner.RunAsync("ip", ["netns", "pids", ns], TimeSpan.FromSeconds(10));
            foreach (var line in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                {
                    try
                    {
                        using var process = Process.GetProcessById(pid);
                        process.Kill();
                    }
                    catch (ArgumentException)
                    {
                        // Exited meanwhile.
                    }
                }
            }

            await ProcessRunner.RunAsync("ip", ["netns", "del", ns], TimeSpan.FromSeconds(20));
        }

        if (System.IO.Directory.Exists(Path.Combine("/etc/netns", HostNamespace)))
        {
            System.IO.Directory.Delete(Path.Combine("/etc/netns", HostNamespace), recursive: true);
        }

        if (_directory is not null)
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class KeaNetworkCollection : ICollectionFixture<KeaNetwork>
{
    public const string Name = "Kea in the simulator's namespaces";
}
