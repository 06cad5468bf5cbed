using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Aether.TestUtilities;

namespace Aether.Controller.Tests.Support;

/// <summary>
/// The real controller binary over TLS, against a private PostgreSQL and nats-server, with certificates that
/// lab/pki.sh makes in a temporary directory (and a second, foreign CA from another run), every secret read from a
/// file and carrying <see cref="SecretMarker"/>, and its whole console output captured.
/// </summary>
public sealed class ControllerProcess : IAsyncLifetime
{
    public const string ApiKeyName = "ops";
    public const int MaxReceiveMessageBytes = 1024 * 1024;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Part of every secret the controller is given: it must never be seen in its output.</summary>
    public static readonly string SecretMarker = "zq" + Guid.NewGuid().ToString("N")[..16];

    private readonly PostgresServer _postgres = new();
    private readonly NatsServer _nats = new();
    private readonly StringBuilder _output = new();
    private Process? _process;

    public string Pki { get; } = Directory.CreateTempSubdirectory("aether-pki-").FullName;

    public string ForeignPki { get; } = Directory.CreateTempSubdirectory("aether-pki-foreign-").FullName;

    public int GrpcPort { get; } = PortAllocator.GetFreeTcpPort();

    public int HttpPort { get; } = PortAllocator.GetFreeTcpPort();

    public int CoaPort { get; } = PortAllocator.GetFreeUdpPort();

    public string GrpcUrl => $"https://127.0.0.1:{GrpcPort}";

    public string HttpUrl => $"https://127.0.0.1:{HttpPort}";

    public string Token(string bngId) => $"token-{bngId}-{SecretMarker}";

    public string ApiKey => $"key-{SecretMarker}";

    public string RadiusSecret => $"radius-{SecretMarker}";

    public string CoaSecret => $"coa-{SecretMarker}";

    public string DatabasePassword => $"db-{SecretMarker}";

    public string KeaPassword => $"kea-{SecretMarker}";

    public string SubscriberPassword => $"sub-{SecretMarker}";

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
        await Task.WhenAll(_postgres.InitializeAsync(), _nats.InitializeAsync(), MakePkiAsync(Pki, "bng-01", "bng-02"), MakePkiAsync(ForeignPki, "bng-01"));
        var database = await _postgres.CreateDatabaseAsync("aether_controller"); // its connection string
        var secrets = Path.Combine(Pki, "secrets");
        Directory.CreateDirectory(secrets);
        await File.WriteAllTextAsync(Path.Combine(secrets, "agent-tokens"), $"bng-01 {Token("bng-01")}\nbng-02 {Token("bng-02")}\n");
        await File.WriteAllTextAsync(Path.Combine(secrets, "api-keys"), $"{ApiKeyName} operator {ApiKey}\n");
        await File.WriteAllTextAsync(Path.Combine(secrets, "radius"), RadiusSecret + "\n");
        await File.WriteAllTextAsync(Path.Combine(secrets, "coa"), CoaSecret + "\n");
        await File.WriteAllTextAsync(Path.Combine(secrets, "kea"), KeaPassword + "\n");
        await File.WriteAllTextAsync(Path.Combine(secrets, "subscriber"), SubscriberPassword + "\n");

        string[] args =
        [
            ControllerDll(),
            "--Logging:LogLevel:Default=Debug",
            "--Logging:LogLevel:Microsoft.AspNetCore=Debug",
            $"--Kestrel:Endpoints:Grpc:Url={GrpcUrl}",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            $"--Kestrel:Endpoints:Grpc:Certificate:Path={Pki}/controller.crt",
            $"--Kestrel:Endpoints:Grpc:Certificate:KeyPath={Pki}/controller.key",
            "--Kestrel:Endpoints:Grpc:ClientCertificateMode=AllowCertificate",
            $"--Kestrel:Endpoints:Http:Url={HttpUrl}",
            $"--Kestrel:Endpoints:Http:Certificate:Path={Pki}/controller.crt",
            $"--Kestrel:Endpoints:Http:Certificate:KeyPath={Pki}/controller.key",
            $"--Controller:AgentCaFile={Pki}/ca.crt",
            $"--Controller:AgentTokensFile={secrets}/agent-tokens",
            $"--Controller:SubscriberPasswordFile={secrets}/subscriber",
            $"--Controller:MaxReceiveMessageBytes={MaxReceiveMessageBytes}",
            // Trust authentication ignores the password; it is there to be looked for in the output.
            $"--ConnectionStrings:Aether={database};Password={DatabasePassword}",
            $"--Events:Url={_nats.Url}",
            "--Ingestor:Enabled=false",
            "--Radius:Servers:0:Host=127.0.0.1",
            $"--Radius:Servers:0:AuthPort={PortAllocator.GetFreeUdpPort()}",
            $"--Radius:Servers:0:AcctPort={PortAllocator.GetFreeUdpPort()}",
            $"--Radius:Servers:0:SecretFile={secrets}/radius",
            "--DynamicAuthorization:Address=127.0.0.1",
            $"--DynamicAuthorization:Port={CoaPort}",
            "--DynamicAuthorization:Clients:0:Address=127.0.0.1",
            $"--DynamicAuthorization:Clients:0:SecretFile={secrets}/coa",
            "--Reconciler:Enabled=true",
            $"--Reconciler:KeaControlAgentUrl=http://127.0.0.1:{PortAllocator.GetFreeTcpPort()}/",
            "--Reconciler:KeaUser=aether",
            $"--Reconciler:KeaPasswordFile={secrets}/kea",
            $"--GraphQL:ApiKeysFile={secrets}/api-keys",
            "--GraphQL:AllowAnonymousRead=false",
        ];
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the controller exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                if ((await http.GetAsync("/healthz", ready.Token)).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the controller did not answer /healthz over TLS:\n{Output}");
            }
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        await _nats.DisposeAsync();
        await _postgres.DisposeAsync();
        foreach (var directory in new[] { Pki, ForeignPki })
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>An HTTPS client for the HTTP endpoint that trusts the lab CA only.</summary>
    public HttpClient HttpClient()
    {
        var authority = new X509Certificate2Collection();
        authority.ImportFromPemFile(Path.Combine(Pki, "ca.crt"));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == 0 && certificate is X509Certificate2 server && Chains(server, authority);
        return new HttpClient(handler) { BaseAddress = new Uri(HttpUrl), Timeout = Timeout };
    }

    private static bool Chains(X509Certificate2 certificate, X509Certificate2Collection authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static async Task MakePkiAsync(string directory, params string[] agents) =>
        (await ProcessRunner.RunAsync("bash", [Path.Combine(RepoRoot(), "lab", "pki.sh"), directory, .. agents], TimeSpan.FromSeconds(60))).EnsureSuccess("lab/pki.sh");

    private static string ControllerDll()
    {
#if DEBUG
        const string Configuration = "Debug";
#else
        const string Configuration = "Release";
#endif
        var dll = Path.Combine(RepoRoot(), "src", "Aether.Controller", "bin", Configuration, "net10.0", "aether-controller.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build the controller first", dll);
    }

    private static string RepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Aether.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("Aether.sln is not above " + AppContext.BaseDirectory);
    }
}
