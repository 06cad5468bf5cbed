using System.Globalization;
using System.Text;
using Aether.Dhcp;
using Aether.Simulator.Cli;
using Aether.Simulator.Reporting;

namespace Aether.Simulator.Load;

/// <summary>Runs a validated <see cref="LoadRequest"/>: opens the transport, samples processes, drives the engine, writes the reports.</summary>
internal sealed partial class LoadRunner(ILoggerFactory loggers, TextWriter output, TimeProvider time)
{
    /// <summary>Every subscriber got a lease.</summary>
    public const int ExitSuccess = 0;

    /// <summary>The run finished but some subscribers failed.</summary>
    public const int ExitFailures = 1;

    /// <summary>Bad arguments or the interface/socket could not be opened.</summary>
    public const int ExitUsage = 2;

    private readonly ILogger _logger = loggers.CreateLogger("Aether.Simulator.Load");

    public async Task<int> RunAsync(LoadRequest request, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"aether-sim {request.Command}: {error}".AsMemory(), cancellationToken);
            }

            return ExitUsage;
        }

        _ = SubscriberPlan.TryParseMacPrefix(request.MacPrefix, out var prefix);
        var plan = new SubscriberPlan(prefix, request.RemoteId, request.FirstIndex);
        var shape = request.Mode == TransportMode.Relay
            ? new ClientMessageShape(Ipv4Address.Parse(request.Giaddr!), 1, request.Broadcast, request.Option82)
            : new ClientMessageShape(Ipv4Address.Any, 0, request.Broadcast, request.Option82);
        var messages = new ClientMessages(plan, shape, request.Count);

        IDhcpTransport transport;
        try
        {
            transport = request.Mode == TransportMode.Relay
                ? RelayTransport.Open(Ipv4Address.Parse(request.Server!), Ipv4Address.Parse(request.Giaddr!), time)
                : PcapTransport.Open(request.Interface!, plan, time);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Net.Sockets.SocketException or SharpPcap.PcapException or DllNotFoundException)
        {
            LogTransportFailed(request.Mode.ToString().ToLowerInvariant(), e.Message);
            return ExitUsage;
        }

        var frequency = time.TimestampFrequency;
        var settings = new EngineSettings(
            request.Count,
            request.Concurrency,
            request.Rate,
            request.Burst ?? TokenBucket.DefaultBurst(request.Rate),
            request.Timeout,
            request.Retries,
            request.Duration,
            request.Release,
            request.EffectiveReleaseRate,
            request.EffectiveHold,
            request.Seed,
            TimeSpan.FromMilliseconds(250));
        SubscriberSchedule schedule = request.Churn
            ? new ChurnSchedule(request.Count, new Random(request.Seed ^ 0x5a5a), (long)(request.HoldMin.TotalSeconds * frequency), (long)(request.HoldMax.TotalSeconds * frequency))
            : new SequentialSchedule(request.Count, request.Release == ReleaseMode.Immediate);
        var progress = request.Progress ? ProgressLine.ForStandardError(request.Churn ? 0 : request.Count, time, request.HoldUntil) : null;
        var processes = request.Pids.Select(p => WatchedProcess.TryParse(p, out var w) ? w : default).ToList();

        var startedAt = time.GetUtcNow();
        LoadResult result;
        IReadOnlyList<ProcessUsage> usage;
        using (transport)
        using (var sampler = new ProcessSampler(processes, request.SampleInterval, time))
        {
            var engine = new LoadEngine(settings, schedule, messages, transport, time, loggers.CreateLogger<LoadEngine>(), progress is null ? null : progress.Report, Hooks(request, plan));
            result = await Task.Factory.StartNew(
                () => engine.Run(cancellationToken),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            usage = sampler.Stop();
            progress?.Finish();
        }

        var report = LoadReport.Create(request.Command, request.Mode.ToString().ToLowerInvariant(), startedAt, Describe(request), result, usage, transport.Description);
        await output.WriteAsync(ReportWriter.ToText(report).AsMemory(), CancellationToken.None);
        await output.FlushAsync(CancellationToken.None);
        if (request.JsonPath is { } json)
        {
            await File.WriteAllTextAsync(json, ReportWriter.ToJson(report), CancellationToken.None);
        }

        if (request.HistogramPath is { } histogram)
        {
            await ReportWriter.WriteHistogramAsync(report, histogram, CancellationToken.None);
        }

        if (request.LeasesPath is { } leases)
        {
            ReplaceFile(leases, LeasesCsv(plan, result.Sessions));
        }

        return result.Counters.Failed > 0 || result.Cancelled ? ExitFailures : ExitSuccess;
    }

    /// <summary>As the hold begins, --leases lists the leases held, for a watcher to check; --hold-until's file ends the hold.</summary>
    internal HoldHooks Hooks(LoadRequest request, SubscriberPlan plan) => new(
        request.LeasesPath is { } leases ? sessions => WriteHeldLeases(leases, plan, sessions) : null,
        request.HoldUntil is { } until ? () => File.Exists(until) : null);

    internal static string LeasesCsv(SubscriberPlan plan, IEnumerable<DoraSession> sessions)
    {
        var csv = new StringBuilder("mac,circuit_id,remote_id,ip,state\n");
        foreach (var session in sessions)
        {
            if (session.Leases == 0)
            {
                continue;
            }

            csv.Append(CultureInfo.InvariantCulture, $"{SubscriberPlan.FormatMac(plan.Mac(session.Slot))},{plan.CircuitId(session.Slot)},{plan.RemoteId},{session.OfferedIp},{(session.State == DoraState.Bound ? "bound" : "released")}\n");
        }

        return csv.ToString();
    }

    /// <summary>Writes FILE.tmp and renames it over FILE, so whoever sees FILE sees it whole.</summary>
    internal static void ReplaceFile(string path, string text)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    private void WriteHeldLeases(string path, SubscriberPlan plan, IReadOnlyList<DoraSession> sessions)
    {
        var held = sessions.Where(s => s.State == DoraState.Bound).ToList();
        try
        {
            ReplaceFile(path, LeasesCsv(plan, held));
            LogLeasesHeld(held.Count, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogLeasesNotWritten(path, e.Message);
        }
    }

    private static ReportSettings Describe(LoadRequest r) => new(
        r.Count,
        r.FirstIndex,
        r.Rate,
        r.Concurrency,
        r.Timeout.TotalMilliseconds,
        r.Retries,
        r.Duration.TotalSeconds,
        r.Release.ToString().ToLowerInvariant(),
        r.EffectiveHold.TotalSeconds,
        r.RemoteId,
        r.MacPrefix,
        r.Seed,
        r.Mode == TransportMode.L2 ? r.Interface : null,
        r.Mode == TransportMode.Relay ? r.Server : null,
        r.Mode == TransportMode.Relay ? r.Giaddr : null,
        r.Churn ? r.HoldMin.TotalSeconds : null,
        r.Churn ? r.HoldMax.TotalSeconds : null,
        r.HoldUntil);

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Could not open the {Mode} transport: {Reason}")]
    private partial void LogTransportFailed(string mode, string reason);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Holding {Count} leases, listed in {Path}")]
    private partial void LogLeasesHeld(int count, string path);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Could not write the held leases to {Path}: {Reason}")]
    private partial void LogLeasesNotWritten(string path, string reason);
}
