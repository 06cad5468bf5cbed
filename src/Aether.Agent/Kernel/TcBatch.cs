using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Aether.Agent.Kernel;

/// <summary>
/// One long-lived `tc -force -batch -` that every tc script of the session path goes through, instead of a new tc
/// process per batch (starting tc costs more CPU than the few netlink messages a batch of sessions needs).
/// <para>
/// tc reads its standard input line by line and runs each line as it arrives; with -force a refused line does not
/// stop the others. After a script the batch writes a marker line that always fails (`class show` of a device that
/// cannot exist), so everything tc says about the script, and then the marker's own "Command failed -:N", arrive on
/// standard error in order: the script is done when the marker's failure is read, and every other "Command failed
/// -:N" names a refused line of the script. Some argument errors make tc exit: the script then fails, and the next
/// one starts a new tc. A script that takes longer than <see cref="Timeout"/> kills tc.
/// </para>
/// <para>
/// tc's output and error pipes are read by threads of their own (<see cref="CommandRunner.ReadOnOwnThread"/>): the
/// read of standard output, which tc never writes, would otherwise hold a thread-pool worker for as long as tc lives.
/// </para>
/// </summary>
internal sealed partial class TcBatch(CommandRunner runner, ILogger logger) : IDisposable
{
    /// <summary>A device name tc can never find: longer than any interface name may be (IFNAMSIZ 16).</summary>
    internal const string MarkerDevice = "aether-batch-marker";
    private const string FailedPrefix = "Command failed -:";

    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _process;
    private StreamReader? _errors;
    private long _line;
    private bool _disposed;

    /// <summary>tc processes started so far (1 while tc stays up).</summary>
    public int Starts { get; private set; }

    /// <summary>
    /// Runs a script's lines; succeeded when tc refused none. The error text is what tc said about the refused lines.
    /// </summary>
    public async Task<TcBatchResult> RunAsync(string script, CancellationToken cancellationToken)
    {
        var lines = script.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            return new TcBatchResult(true, "", [], Completed: true);
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_process is { HasExited: true })
            {
                LogTcRestarted($"tc had exited with status {_process.ExitCode}");
                Stop();
            }
            var process = _process ?? Start();
            var errors = _errors!;
            var first = _line + 1;
            var input = new StringBuilder(script.Length + 64);
            foreach (var line in lines)
            {
                input.Append(line).Append('\n');
            }
            _line += lines.Length;
            var marker = ++_line;
            input.Append("class show dev ").Append(MarkerDevice).Append('\n');

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                await process.StandardInput.WriteAsync(input, timeout.Token);
                await process.StandardInput.FlushAsync(timeout.Token);
                return await ReadUntilMarkerAsync(errors, first, marker, timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException
                || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // tc exited (an argument it could not parse), the pipe broke, or it hung: this script failed; the next
                // one gets a new tc.
                var reason = ex is OperationCanceledException ? $"tc did not finish the script within {Timeout.TotalSeconds:0} s" : $"tc exited: {ex.Message}";
                LogTcRestarted(reason);
                Stop();
                return new TcBatchResult(false, reason, [], Completed: false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<TcBatchResult> ReadUntilMarkerAsync(StreamReader standardError, long first, long marker, CancellationToken cancellationToken)
    {
        var errors = new StringBuilder();
        var failed = new List<int>();
        while (true)
        {
            var line = await standardError.ReadLineAsync(cancellationToken)
                ?? throw new IOException(errors.Length > 0 ? errors.ToString().Trim() : "standard error closed");
            if (line.StartsWith(FailedPrefix, StringComparison.Ordinal)
                && long.TryParse(line.AsSpan(FailedPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                if (number == marker)
                {
                    return new TcBatchResult(failed.Count == 0, errors.ToString().Trim(), failed, Completed: true);
                }
                failed.Add((int)(number - first));
                continue;
            }
            if (!line.Contains(MarkerDevice, StringComparison.Ordinal))
            {
                errors.AppendLine(line);
            }
        }
    }

    private Process Start()
    {
        var process = runner.Start("tc", ["-force", "-batch", "-"], redirectInput: true);
        // What tc prints on standard output (nothing for the commands the agent sends) is read and dropped, so
        // that a full pipe can never stall it.
        _ = CommandRunner.ReadOnOwnThread(process.StandardOutput.BaseStream, "tc output").CopyToAsync(Stream.Null);
        var errors = new StreamReader(CommandRunner.ReadOnOwnThread(process.StandardError.BaseStream, "tc errors"));
        _process = process;
        _errors = errors;
        _line = 0;
        Starts++;
        return process;
    }

    private void Stop()
    {
        if (_process is not { } process)
        {
            return;
        }
        _process = null;
        _errors?.Dispose();
        _errors = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        process.Dispose();
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _disposed = true;
            if (_process is { } process)
            {
                try
                {
                    // End of input: tc finishes what it has and exits by itself.
                    process.StandardInput.Close();
                    process.WaitForExit(TimeSpan.FromSeconds(2));
                }
                catch (IOException)
                {
                }
            }
            Stop();
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(EventId = 1335, Level = LogLevel.Warning, Message = "The long-lived tc batch was restarted: {Reason}")]
    private partial void LogTcRestarted(string reason);
}

/// <summary>
/// What tc did with a script: <paramref name="FailedLines"/> are the 0-based indexes of the refused lines (non-empty
/// lines only). <paramref name="Completed"/>: tc went through every line; when false (tc exited or hung) the lines
/// after the last one it answered for may not have run, and <paramref name="FailedLines"/> is not the whole story.
/// </summary>
internal readonly record struct TcBatchResult(bool Succeeded, string Error, IReadOnlyList<int> FailedLines, bool Completed);
