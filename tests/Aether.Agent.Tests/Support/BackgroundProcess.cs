using System.Collections.Concurrent;
using System.Diagnostics;

namespace Aether.Agent.Tests.Support;

/// <summary>A long-running process (Kea, the agent) whose output lines the test can wait for.</summary>
public sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly Process _process;

    private BackgroundProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public ConcurrentQueue<string> Lines { get; } = new();

    public bool Exited => _process.HasExited;

    /// <summary>The process id (with `ip netns exec`, the command it became).</summary>
    public int Id => _process.Id;

    public static BackgroundProcess Start(string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info };
        var background = new BackgroundProcess(process, name);
        process.OutputDataReceived += (_, e) => background.Add(e.Data);
        process.ErrorDataReceived += (_, e) => background.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return background;
    }

    public bool Logged(string text) => Lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    public Task WaitForAsync(string text, TimeSpan? timeout = null) =>
        TestTimeouts.WaitUntilAsync(() => Logged(text) || Exited, $"{Name} to log \"{text}\"", timeout)
            .ContinueWith(t =>
            {
                if (t.IsFaulted || !Logged(text))
                {
                    throw new TimeoutException($"{Name} did not log \"{text}\" (exited: {Exited}). Output:\n{string.Join('\n', Lines)}");
                }
            }, TaskScheduler.Default);

    /// <summary>SIGKILL: what a crash looks like.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Await);
        }
    }

    /// <summary>SIGTERM and wait: an orderly stop.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        await Aether.TestUtilities.ProcessRunner.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            Lines.Enqueue(line);
        }
    }
}
