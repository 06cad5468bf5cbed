using System.Runtime.InteropServices;

namespace Aether.Agent.Kernel;

/// <summary>
/// nftables scripts run in process through libnftables (the library the nft command is built on), one netlink
/// transaction per script as `nft -f -` would make, without starting nft for every batch. All calls run on one
/// thread of their own: libnftables contexts are not thread-safe, and with a network namespace that thread enters
/// it (setns) before it opens its netlink socket, so the agent's tests and benchmarks can program a namespace they
/// are not in. When libnftables cannot be loaded, scripts go to the nft command instead.
/// </summary>
internal sealed partial class NftContext : IDisposable
{
    private const string Library = "libnftables.so.1";

    private readonly CommandRunner _runner;
    private readonly ILogger _logger;
    private readonly HandoffQueue<Work> _work = new();
    private readonly TaskCompletionSource<bool> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;

    public NftContext(CommandRunner runner, ILogger logger)
    {
        _runner = runner;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "nftables" };
        _thread.Start();
    }

    /// <summary>True when scripts run in process; false when they go to the nft command (libnftables missing).</summary>
    public Task<bool> InProcess => _started.Task;

    /// <summary>Runs a script as one transaction: all of it applied, or none of it and the error (and what nft printed).</summary>
    public async Task<CommandResult> RunAsync(string script, CancellationToken cancellationToken)
    {
        if (!await _started.Task.WaitAsync(cancellationToken))
        {
            return await _runner.RunAsync("nft", ["-f", "-"], script, cancellationToken);
        }
        var work = new Work(script);
        if (!_work.TryAdd(work))
        {
            return new CommandResult(1, "", "the nftables context has stopped");
        }
        return await work.Result.Task.WaitAsync(cancellationToken);
    }

    private void Run()
    {
        IntPtr context;
        try
        {
            if (_runner.Namespace is { } ns)
            {
                NetworkNamespace.EnterOnThisThread(ns);
            }
            context = nft_ctx_new(0);
            if (context == IntPtr.Zero)
            {
                throw new InvalidOperationException("nft_ctx_new returned no context");
            }
            nft_ctx_buffer_output(context);
            nft_ctx_buffer_error(context);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException or IOException)
        {
            LogNftCommandFallback(ex.Message);
            _work.CompleteAdding();
            _started.TrySetResult(false);
            return;
        }
        _started.TrySetResult(true);
        try
        {
            while (_work.TryTake(out var work))
            {
                var status = nft_run_cmd_from_buffer(context, work.Script);
                // Reading a buffer also empties it for the next script.
                var output = Marshal.PtrToStringUTF8(nft_ctx_get_output_buffer(context)) ?? "";
                var error = Marshal.PtrToStringUTF8(nft_ctx_get_error_buffer(context)) ?? "";
                work.Result.TrySetResult(new CommandResult(status == 0 ? 0 : 1, output, error));
            }
        }
        finally
        {
            nft_ctx_free(context);
        }
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        foreach (var work in _work.Drain())
        {
            work.Result.TrySetResult(new CommandResult(1, "", "the nftables context has stopped"));
        }
    }

    private sealed record Work(string Script)
    {
        public TaskCompletionSource<CommandResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LibraryImport(Library)]
    private static partial IntPtr nft_ctx_new(uint flags);

    [LibraryImport(Library)]
    private static partial void nft_ctx_free(IntPtr context);

    [LibraryImport(Library)]
    private static partial int nft_ctx_buffer_output(IntPtr context);

    [LibraryImport(Library)]
    private static partial int nft_ctx_buffer_error(IntPtr context);

    [LibraryImport(Library)]
    private static partial IntPtr nft_ctx_get_output_buffer(IntPtr context);

    [LibraryImport(Library)]
    private static partial IntPtr nft_ctx_get_error_buffer(IntPtr context);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int nft_run_cmd_from_buffer(IntPtr context, string buffer);

    [LoggerMessage(EventId = 1336, Level = LogLevel.Warning, Message = "libnftables is not available ({Reason}): nftables scripts run through the nft command, one process per batch")]
    private partial void LogNftCommandFallback(string reason);
}
