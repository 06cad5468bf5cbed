using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Kernel;

/// <summary>
/// Programs the BNG's kernel for subscriber sessions. nftables: an inet table whose sets hold every authorized
/// address with a per-element counter (sub_up matched on source, sub_down on destination), so one rule serves
/// every session and the walled garden drops all else. tc: an HTB class per session for download and one for
/// upload, on IFB shard devices the interface's clsact hook redirects to, reached through u32 hash tables
/// (<see cref="TcScript"/>).
/// Operations queue up and are applied in batches: one nftables transaction (libnftables, <see cref="NftContext"/>) and one
/// script to a long-lived `tc -batch -` (<see cref="TcBatch"/>) per batch. A restart keeps
/// what is in the kernel, so subscribers keep forwarding while the agent is away.
/// </summary>
internal sealed partial class SessionKernel : BackgroundService, ISessionKernel
{
    private const int MaxBatch = 2_000;

    private readonly AgentOptions _options;
    private readonly CommandRunner _runner;
    private readonly TcBatch _tc;
    private readonly NftContext _nft;
    private readonly NftSetCounters _setCounters;
    private readonly ILogger<SessionKernel> _logger;
    private readonly Channel<KernelOperation> _queue = Channel.CreateUnbounded<KernelOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _shards;
    private int _applying;
    private int _queued;

    public SessionKernel(IOptions<AgentOptions> options, CommandRunner runner, ILogger<SessionKernel> logger)
    {
        _options = options.Value;
        _shards = _options.ShapingShards;
        _runner = runner;
        _logger = logger;
        _tc = new TcBatch(runner, logger);
        _nft = new NftContext(runner, logger);
        _setCounters = new NftSetCounters(runner.Namespace);
    }

    public Task Ready => _ready.Task;

    public bool IsIdle => Volatile.Read(ref _queued) == 0 && Volatile.Read(ref _applying) == 0;

    public Task<KernelResult> ApplyAsync(KernelOperation operation, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(operation))
        {
            Interlocked.Decrement(ref _queued);
            return Task.FromResult(new KernelResult(false, "the kernel programmer has stopped", null));
        }
        return operation.Completion.Task.WaitAsync(cancellationToken);
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        _ready.TrySetResult();
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _tc.Dispose();
        _nft.Dispose();
        _setCounters.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<KernelOperation>(MaxBatch);
        var touched = new HashSet<uint>();
        KernelOperation? held = null;
        while (held is not null || await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            Volatile.Write(ref _applying, 1);
            batch.Clear();
            touched.Clear();
            if (held is not null)
            {
                batch.Add(held);
                touched.Add(held.Ip.Value);
                held = null;
            }
            // A batch touches each address once, so that its nft and tc scripts can be applied in any order.
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var op))
            {
                Interlocked.Decrement(ref _queued);
                if (!touched.Add(op.Ip.Value))
                {
                    held = op;
                    break;
                }
                batch.Add(op);
            }
            var batchStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await ApplyBatchAsync(batch, stoppingToken);
                Aether.Observability.AgentMetrics.KernelBatchSize.Record(batch.Count);
                Aether.Observability.AgentMetrics.KernelBatchDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(batchStarted).TotalSeconds);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogBatchFailed(batch.Count, ex.Message);
                foreach (var op in batch)
                {
                    op.Completion.TrySetResult(new KernelResult(false, ex.Message, null));
                }
            }
            finally
            {
                // An operation held over for the next batch is work too.
                Volatile.Write(ref _applying, held is null ? 0 : 1);
            }
        }
    }

    public async Task<KernelResult> CreateClassesAsync(IReadOnlyList<ShapedClass> classes, CancellationToken cancellationToken)
    {
        var tc = new System.Text.StringBuilder();
        foreach (var c in classes)
        {
            TcScript.AppendPooledClass(tc, TcScript.DownloadDevice(c.Interface, c.Shard), c.ClassId);
            TcScript.AppendPooledClass(tc, TcScript.UploadDevice(c.Interface, c.Shard), c.ClassId);
        }
        if (tc.Length == 0)
        {
            return new KernelResult(true, null, null);
        }
        // One refused line does not stop the others; the caller treats the whole batch as failed.
        var result = await _tc.RunAsync(tc.ToString(), cancellationToken);
        return new KernelResult(result.Succeeded, result.Succeeded ? null : result.Error, null);
    }

    /// <summary>The shard devices that carry a session's download and upload.</summary>
    internal (string Download, string Upload) DevicesOf(string iface, Aether.Dhcp.Ipv4Address ip) =>
        (TcScript.DownloadDevice(iface, ip, _shards), TcScript.UploadDevice(iface, ip, _shards));
}
