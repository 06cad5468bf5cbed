using System.Diagnostics;
using System.Text;

namespace Aether.Lab.Tests;

/// <summary>
/// Brings the namespace lab up once for the collection (lab/lab.sh up + start) with the real services
/// and the built Aether binaries, and tears it down afterwards (set AETHER_KEEP_LAB=1 to keep it).
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    public static readonly string RepoRoot = FindRepoRoot();

    public string LabScript => Path.Combine(RepoRoot, "lab", "lab.sh");

    public string LabDir { get; } = Environment.GetEnvironmentVariable("LAB_DIR") ?? "/var/lib/aether-lab";

    public int PgPort => 54329;

    public string NatsUrl => "nats://127.0.0.1:4222";

    public string GraphQLUrl => "http://127.0.0.1:8080/graphql";

    public string AetherConnectionString => $"Host=127.0.0.1;Port={PgPort};Database=aether;Username=aether;Password=aether;Timeout=5";

    public string KeaConnectionString => $"Host=127.0.0.1;Port={PgPort};Database=kea;Username=kea;Password=kea;Timeout=5";

    public string RadiusConnectionString => $"Host=127.0.0.1;Port={PgPort};Database=radius;Username=radius;Password=radius;Timeout=5";

    public async Task InitializeAsync()
    {
        await Shell.RunAsync(LabScript, ["down"], TimeSpan.FromSeconds(120));
        await Shell.RunChecked(LabScript, ["up"], TimeSpan.FromSeconds(180));
        await Shell.RunChecked(LabScript, ["start"], TimeSpan.FromSeconds(180));
        // dhclient's pid and lease files, shared with lab/lab.sh online.
        Directory.CreateDirectory(Path.Combine(LabDir, "dhclient"));
    }

    public async Task DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("AETHER_KEEP_LAB") == "1")
        {
            return;
        }
        await Shell.RunAsync(LabScript, ["down"], TimeSpan.FromSeconds(120));
    }

    /// <summary>Releases any lease the host holds, then runs dhclient once: a fresh session each time.</summary>
    public async Task<(ShellResult Dhclient, string Ip)> BringOnlineAsync(string host, int timeoutSeconds = 45)
    {
        await ReleaseAsync(host);
        Directory.CreateDirectory(Path.Combine(LabDir, "dhclient"));
        var dhclient = await Shell.InNamespace(host, TimeSpan.FromSeconds(timeoutSeconds + 15),
            "timeout", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "dhclient", "-1", "-v",
            "-pf", PidFile(host), "-lf", $"{LabDir}/dhclient/{host}.leases", "eth0");
        return (dhclient, await HostAddressAsync(host));
    }

    /// <summary>DHCPRELEASE and stop the host's dhclient (same files as lab/lab.sh online); the address is removed.</summary>
    public async Task ReleaseAsync(string host)
    {
        if (File.Exists(PidFile(host)))
        {
            await Shell.InNamespace(host, TimeSpan.FromSeconds(20), "dhclient", "-r", "-pf", PidFile(host), "-lf", $"{LabDir}/dhclient/{host}.leases", "eth0");
        }
        // No other DHCP client may be left running in the host.
        var pids = await Shell.RunAsync("ip", ["netns", "pids", host], TimeSpan.FromSeconds(10));
        foreach (var pid in pids.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Shell.RunAsync("kill", ["-KILL", pid.Trim()], TimeSpan.FromSeconds(5));
        }
        await Shell.InNamespace(host, TimeSpan.FromSeconds(10), "ip", "-4", "addr", "flush", "dev", "eth0");
    }

    public static async Task<string> HostAddressAsync(string host)
    {
        var r = await Shell.InNamespace(host, TimeSpan.FromSeconds(10), "ip", "-4", "-o", "addr", "show", "dev", "eth0");
        var field = r.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(f => f != "inet").Skip(1).FirstOrDefault();
        return field?.Split('/')[0] ?? "";
    }

    private string PidFile(string host) => $"{LabDir}/dhclient/{host}.pid";

    public string ReadLog(string name)
    {
        var path = Path.Combine(LabDir, "log", name + ".log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Aether.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Aether.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class LabCollection : ICollectionFixture<LabFixture>
{
    public const string Name = "lab";
}

public readonly record struct ShellResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}

public static class Shell
{
    public static async Task<ShellResult> RunAsync(string file, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds}s");
        }
        return new ShellResult(process.ExitCode, await stdout, await stderr);
    }

    public static async Task<ShellResult> RunChecked(string file, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var result = await RunAsync(file, args, timeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {result}");
        }
        return result;
    }

    /// <summary>Runs a command inside one of the lab's network namespaces.</summary>
    public static Task<ShellResult> InNamespace(string ns, TimeSpan timeout, params string[] command) =>
        RunAsync("ip", ["netns", "exec", ns, .. command], timeout);

    public static string Describe(this ShellResult r)
    {
        var sb = new StringBuilder();
        sb.Append("exit ").Append(r.ExitCode).AppendLine().Append(r.Output).AppendLine().Append(r.Error);
        return sb.ToString();
    }
}

public static class Poll
{
    /// <summary>Retries until the probe returns a value, or fails with what was last seen.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var value = await probe();
                if (value is not null)
                {
                    return value;
                }
            }
            catch (Exception ex)
            {
                last = ex;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"timed out after {timeout.TotalSeconds}s waiting for {what}" + (last is null ? "" : $": {last.Message}"), last);
    }
}
