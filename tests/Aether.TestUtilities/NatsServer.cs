using System.Diagnostics;
using System.Text;
using Xunit;

namespace Aether.TestUtilities;

/// <summary>
/// A real nats-server with JetStream for tests, on a free 127.0.0.1 port with its store in a temporary directory.
/// <see cref="KillAsync"/> and <see cref="RestartAsync"/> inject faults; the port and the store survive them.
/// </summary>
public sealed class NatsServer : IAsyncLifetime, IAsyncDisposable
{
    public const string Executable = "nats-server";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _storeDirectory;

    public int Port { get; private set; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public string StoreDirectory => _storeDirectory ?? throw new InvalidOperationException("The server is not initialised.");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the server printed so far, for diagnosing a failed test.</summary>
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
        _storeDirectory = Directory.CreateTempSubdirectory("aether-nats-").FullName;
        Port = PortAllocator.GetFreeTcpPort();
        await StartAsync();
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            return;
        }

        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-js", "-sd", StoreDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-a", "127.0.0.1"])
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("nats-server is not installed (apt-get install nats-server).", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await PortAllocator.WaitForTcpAsync(Port, s_startTimeout, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"nats-server did not listen on {Port} within {s_startTimeout}:\n{Output}");
        }
    }

    /// <summary>Kills the server (SIGKILL: no goodbye to clients, as in a crash).</summary>
    public async Task KillAsync()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        finally
        {
            _process.Dispose();
            _process = null;
        }
    }

    /// <summary>Kills the server and starts it again on the same port with the same store.</summary>
    public async Task RestartAsync(TimeSpan downtime = default, CancellationToken cancellationToken = default)
    {
        await KillAsync();
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, cancellationToken);
        }

        await StartAsync(cancellationToken);
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        if (_storeDirectory is not null)
        {
            Directory.Delete(_storeDirectory, recursive: true);
            _storeDirectory = null;
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

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
}
