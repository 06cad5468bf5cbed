using Npgsql;
using Xunit;

namespace Aether.TestUtilities;

/// <summary>
/// A private PostgreSQL 15 cluster for tests: initdb into a temporary directory, started on a free 127.0.0.1 port
/// with trust authentication, stopped and deleted on dispose. PostgreSQL refuses to run as root, so as root the
/// server runs as the postgres user (<c>runuser</c>) in a directory it owns. Durability is traded for speed
/// (fsync off), which a clean or fast restart does not notice.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime, IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";
    public const string SuperUser = "postgres";

    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(90);
    private string? _root;

    public int Port { get; private set; }

    /// <summary>Extra <c>-c name=value</c> server settings.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>
    {
        ["fsync"] = "off",
        ["synchronous_commit"] = "off",
        ["full_page_writes"] = "off",
    };

    public string DataDirectory => Path.Combine(Root, "data");

    public string SocketDirectory => Path.Combine(Root, "run");

    public string LogFile => Path.Combine(Root, "server.log");

    private string Root => _root ?? throw new InvalidOperationException("The server is not initialised.");

    private static bool IsRoot => Environment.UserName == "root";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
        {
            throw new InvalidOperationException("PostgreSQL 15 is not installed (apt-get install postgresql).");
        }

        _root = Directory.CreateTempSubdirectory("aether-pg-").FullName;
        Directory.CreateDirectory(SocketDirectory);
        if (IsRoot)
        {
            (await ProcessRunner.RunAsync("chown", ["-R", $"{SuperUser}:{SuperUser}", Root], s_commandTimeout)).EnsureSuccess("chown");
        }

        (await RunAsync("initdb", ["-D", DataDirectory, "-U", SuperUser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]))
            .EnsureSuccess("initdb");
        Port = PortAllocator.GetFreeTcpPort();
        await StartAsync();
    }

    /// <summary>A connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Database = database,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>Stops the server (fast: clients are disconnected) and starts it again on the same port.</summary>
    public async Task RestartAsync(TimeSpan downtime = default, CancellationToken cancellationToken = default)
    {
        await StopAsync("fast");
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, cancellationToken);
        }

        await StartAsync();
    }

    /// <summary>Stops the server; <see cref="StartAsync"/> brings it back.</summary>
    public async Task StopAsync(string mode = "fast") =>
        (await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "stop"])).EnsureSuccess("pg_ctl stop");

    public async Task StartAsync()
    {
        var options = $"-p {Port} -k {SocketDirectory} -c listen_addresses=127.0.0.1 -c max_connections=200";
        foreach (var (name, value) in Settings)
        {
            options += $" -c {name}={value}";
        }

        var result = await RunAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-o", options, "-w", "-t", "60", "start"]);
        if (result.ExitCode != 0)
        {
            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "";
            throw new InvalidOperationException($"pg_ctl start exited with {result.ExitCode}:\n{result.StandardOutput}\n{result.StandardError}\n{log}");
        }
    }

    public async Task DisposeAsync()
    {
        if (_root is null)
        {
            return;
        }

        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
            }
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
            _root = null;
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private Task<ProcessResult> RunAsync(string tool, IEnumerable<string> arguments)
    {
        var path = Path.Combine(BinDirectory, tool);
        return IsRoot
            ? ProcessRunner.RunAsync("runuser", ["-u", SuperUser, "--", path, .. arguments], s_commandTimeout, workingDirectory: "/tmp")
            : ProcessRunner.RunAsync(path, arguments, s_commandTimeout);
    }
}
