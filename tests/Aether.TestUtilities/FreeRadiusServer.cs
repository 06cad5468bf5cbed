using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Aether.TestUtilities;

/// <summary>
/// A real FreeRADIUS 3 started on free 127.0.0.1 ports from a private copy of /etc/freeradius/3.0: its own
/// clients.conf (127.0.0.1 with <see cref="Secret"/>), users file, the OSS vendor dictionary, detail files under
/// <see cref="RadacctDirectory"/>. Replies carry Message-Authenticator unless <see cref="AddMessageAuthenticatorToReplies"/>
/// is false, since FreeRADIUS 3.2.1 does not add it to Access-Accept or Access-Reject by itself.
/// </summary>
public partial class FreeRadiusServer : IAsyncLifetime, IAsyncDisposable
{
    public const string Secret = "aether-test-secret";
    public const string SystemConfigDirectory = "/etc/freeradius/3.0";
    public const uint OssVendorId = 43242;

    public const string OssDictionary = """
        VENDOR		OSS				43242
        BEGIN-VENDOR	OSS
        # Rates in kbit/s.
        ATTRIBUTE	OSS-Download-Speed		1	integer
        ATTRIBUTE	OSS-Upload-Speed		2	integer
        ATTRIBUTE	OSS-Download-Burst		3	integer
        ATTRIBUTE	OSS-Upload-Burst		4	integer
        END-VENDOR	OSS

        """;

    public const string DefaultUsers = """
        alice	Cleartext-Password := "pw"
        	Filter-Id = "20M/10M",
        	OSS-Download-Speed = 20000,
        	OSS-Upload-Speed = 10000,
        	OSS-Download-Burst = 25000,
        	OSS-Upload-Burst = 12500

        bob	Cleartext-Password := "bob-pw"
        	Filter-Id = "100M/20M"

        """;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <summary>
    /// Adds <c>update reply { Message-Authenticator := 0x00 }</c> to post-auth, Post-Auth-Type REJECT and an
    /// <c>Autz-Type Status-Server</c> section of authorize.
    /// </summary>
    public bool AddMessageAuthenticatorToReplies { get; init; } = true;

    /// <summary>Contents of mods-config/files/authorize.</summary>
    public string Users { get; init; } = DefaultUsers;

    /// <summary>
    /// More modules to enable, by name: each written to mods-enabled/NAME. The default site calls some of them when
    /// present (e.g. <c>-sql</c> in authorize, accounting and post-auth).
    /// </summary>
    public IReadOnlyDictionary<string, string> Modules { get; init; } = new Dictionary<string, string>();

    /// <summary>Runs radiusd with -X (debug output to <see cref="Output"/>).</summary>
    public bool Debug { get; init; }

    public string ConfigDirectory { get; private set; } = "";

    public IPAddress Address { get; } = IPAddress.Loopback;

    public int AuthPort { get; private set; }

    public int AcctPort { get; private set; }

    public string RadacctDirectory => Path.Combine(ConfigDirectory, "log", "radacct");

    /// <summary>What radiusd printed so far, for diagnosing a failed test.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists("/usr/sbin/freeradius"))
        {
            throw new InvalidOperationException("FreeRADIUS is not installed (apt-get install freeradius freeradius-utils).");
        }

        ConfigDirectory = Directory.CreateTempSubdirectory("aether-raddb-").FullName;
        await RunAsync("cp", "-a", SystemConfigDirectory + "/.", ConfigDirectory);
        // The detail module's directory for our one client, made now: radiusd threads writing their first records at
        // once race to create it, and the loser fails its Accounting-Request ("Failed to create directory").
        Directory.CreateDirectory(Path.Combine(ConfigDirectory, "log", "radacct", "127.0.0.1"));
        Directory.CreateDirectory(Path.Combine(ConfigDirectory, "run"));

        // Two tries: a free port found now may be taken before radiusd binds it.
        for (var attempt = 1; ; attempt++)
        {
            AuthPort = FreeUdpPort();
            AcctPort = FreeUdpPort();
            WriteConfiguration();
            try
            {
                await StartAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 2)
            {
                await StopAsync();
            }
        }
    }

    /// <summary>All detail records written so far (RFC 2866 accounting as FreeRADIUS logs it).</summary>
    public string ReadDetail()
    {
        if (!Directory.Exists(RadacctDirectory))
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(RadacctDirectory, "detail-*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            text.Append(File.ReadAllText(file));
        }

        return text.ToString();
    }

    /// <summary>Waits until the detail files contain <paramref name="text"/>; radiusd writes them before it answers, so this is quick.</summary>
    public async Task<string> WaitForDetailAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var detail = ReadDetail();
            if (detail.Contains(text, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return detail;
            }

            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        if (ConfigDirectory.Length > 0 && Directory.Exists(ConfigDirectory))
        {
            Directory.Delete(ConfigDirectory, recursive: true);
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private async Task StartAsync()
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var info = new ProcessStartInfo("/usr/sbin/freeradius")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-d", ConfigDirectory, "-f", "-l", "stdout" })
        {
            info.ArgumentList.Add(argument);
        }

        if (Debug)
        {
            info.ArgumentList.Add("-X");
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(e.Data);
            }

            if (e.Data.Contains("Ready to process requests", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("radiusd exited during start:\n" + Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        try
        {
            await ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException("radiusd did not become ready:\n" + Output);
        }
    }

    private async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    private void WriteConfiguration()
    {
        var dir = ConfigDirectory;
        var radiusd = File.ReadAllText(Path.Combine(dir, "radiusd.conf"));
        radiusd = Setting("raddbdir").Replace(radiusd, "${1}raddbdir = " + dir);
        radiusd = Setting("logdir").Replace(radiusd, "${1}logdir = " + Path.Combine(dir, "log"));
        radiusd = Setting("run_dir").Replace(radiusd, "${1}run_dir = " + Path.Combine(dir, "run"));
        // Running as the test user (root in CI), so no switch to freerad; no delay on Access-Reject to keep tests fast.
        radiusd = Setting("user").Replace(radiusd, "");
        radiusd = Setting("group").Replace(radiusd, "");
        radiusd = Setting("reject_delay").Replace(radiusd, "${1}reject_delay = 0");
        File.WriteAllText(Path.Combine(dir, "radiusd.conf"), radiusd);

        File.WriteAllText(Path.Combine(dir, "clients.conf"), $$"""
            client aether-test {
            	ipaddr = 127.0.0.1
            	secret = {{Secret}}
            	require_message_authenticator = yes
            }

            """);

        File.WriteAllText(Path.Combine(dir, "mods-config", "files", "authorize"), Users);
        foreach (var (name, module) in Modules)
        {
            File.WriteAllText(Path.Combine(dir, "mods-enabled", name), module);
        }

        File.WriteAllText(Path.Combine(dir, "dictionary.aether"), OssDictionary);
        var dictionary = Path.Combine(dir, "dictionary");
        if (!File.ReadAllText(dictionary).Contains("dictionary.aether", StringComparison.Ordinal))
        {
            File.AppendAllText(dictionary, "\n$INCLUDE dictionary.aether\n");
        }

        var sites = Path.Combine(dir, "sites-enabled");
        foreach (var site in Directory.EnumerateFileSystemEntries(sites))
        {
            File.Delete(site);
        }

        File.WriteAllText(Path.Combine(sites, "default"), DefaultSite(File.ReadAllText(Path.Combine(dir, "sites-available", "default"))));
    }

    /// <summary>The stock default site with its listeners replaced by ours and, if asked, Message-Authenticator in replies.</summary>
    private string DefaultSite(string site)
    {
        var listeners = $$"""
            server default {
            listen {
            	type = auth
            	ipaddr = {{Address}}
            	port = {{AuthPort}}
            }
            listen {
            	type = acct
            	ipaddr = {{Address}}
            	port = {{AcctPort}}
            }
            """;
        site = ServerStart().Replace(RemoveListenBlocks(site), listeners, 1);
        if (AddMessageAuthenticatorToReplies)
        {
            const string update = "\n\tupdate reply {\n\t\tMessage-Authenticator := 0x00\n\t}";
            site = PostAuthStart().Replace(site, "$0" + update, 1);
            site = PostAuthRejectStart().Replace(site, "$0" + update, 1);
            // Status-Server (RFC 5997) skips post-auth; without "ok" the section's noop turns the answer into a reject.
            site = AuthorizeStart().Replace(site, "$0\n\tAutz-Type Status-Server {" + update.Replace("\n", "\n\t", StringComparison.Ordinal) + "\n\t\tok\n\t}", 1);
        }

        return site;
    }

    /// <summary>Drops every top-level listen { ... } section, matching braces and ignoring comments.</summary>
    private static string RemoveListenBlocks(string site)
    {
        var result = new StringBuilder();
        var depth = 0;
        var skipping = false;
        foreach (var line in site.Split('\n'))
        {
            var code = line.Split('#')[0];
            if (!skipping && ListenStart().IsMatch(code))
            {
                skipping = true;
                depth = 0;
            }

            if (skipping)
            {
                depth += code.Count(c => c == '{') - code.Count(c => c == '}');
                if (depth <= 0)
                {
                    skipping = false;
                }

                continue;
            }

            result.Append(line).Append('\n');
        }

        return result.ToString();
    }

    private static Regex Setting(string name) => new($@"(?m)^(\s*){Regex.Escape(name)}\s*=.*$");

    [GeneratedRegex(@"^listen\s*\{")]
    private static partial Regex ListenStart();

    [GeneratedRegex(@"(?m)^server default \{")]
    private static partial Regex ServerStart();

    [GeneratedRegex(@"(?m)^authorize \{")]
    private static partial Regex AuthorizeStart();

    [GeneratedRegex(@"(?m)^post-auth \{")]
    private static partial Regex PostAuthStart();

    [GeneratedRegex(@"(?m)^\s*Post-Auth-Type REJECT \{")]
    private static partial Regex PostAuthRejectStart();

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {error}");
        }
    }
}
