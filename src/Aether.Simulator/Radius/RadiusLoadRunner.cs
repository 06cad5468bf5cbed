using System.Diagnostics;
using System.Globalization;
using System.Net;
using Aether.Radius;
using Aether.Simulator.Load;
using Aether.Simulator.Reporting;

namespace Aether.Simulator.Radius;

/// <summary>What <c>aether-sim radius</c> sends, and to whom.</summary>
internal sealed record RadiusLoadSettings(
    RadiusServerEndpoint Server,
    int Count,
    int First,
    int Concurrency,
    string BngId,
    string RemoteId,
    byte[] MacPrefix,
    string Password,
    IPAddress NasIp,
    string PortId,
    IPAddress FramedBase,
    TimeSpan Timeout,
    int Retries,
    IReadOnlyList<CpuGroup> CpuGroups);

/// <summary>CPU a group of processes (or the whole machine) spent per subscriber, in each phase.</summary>
internal sealed record GroupCpu(string Name, double SetupMsPerSubscriber, double StopMsPerSubscriber);

/// <summary>What one run did.</summary>
internal sealed record RadiusLoadResult(
    string Server,
    int Requested,
    int Accepted,
    int Rejected,
    int Failed,
    int Stopped,
    IReadOnlyDictionary<string, int> Failures,
    double SetupSeconds,
    double SetupsPerSecond,
    double StopSeconds,
    double StopsPerSecond,
    LatencySummary SetupLatency,
    long Retransmissions,
    IReadOnlyList<GroupCpu> Cpu)
{
    /// <summary>Every subscriber accepted, started and stopped.</summary>
    public bool Complete => Accepted == Requested && Stopped == Accepted && Failed == 0;
}

/// <summary>
/// The RADIUS a subscriber setup costs, sent straight to the server without the rest of the path: for each synthetic
/// subscriber an Access-Request with the attributes the controller's Authorizer sends (User-Name
/// <c>{bng_id}/{remote_id}/{circuit_id}</c>, NAS-IP-Address, NAS-Identifier, NAS-Port-Id, NAS-Port-Type Ethernet,
/// Service-Type Framed, Calling-Station-Id, Called-Station-Id), then, once accepted, the Accounting-Start its session
/// would send (RFC 2866); when every subscriber is up, an Accounting-Stop each (User-Request). Up to
/// <see cref="RadiusLoadSettings.Concurrency"/> subscribers are in flight. The subscribers are named as
/// <c>aether-sim load</c> names them (circuit-id and MAC from their number), so the same server accepts both.
/// </summary>
internal sealed class RadiusLoadRunner(ILoggerFactory loggers)
{
    private const uint NasPortTypeEthernet = 15;
    private const uint ServiceTypeFramed = 2;

    public async Task<RadiusLoadResult> RunAsync(RadiusLoadSettings settings, Action<string>? progress, CancellationToken cancellationToken)
    {
        var plan = new SubscriberPlan(settings.MacPrefix, settings.RemoteId, settings.First);
        var options = new RadiusClientOptions
        {
            Servers = [settings.Server],
            Timeout = settings.Timeout,
            Retries = settings.Retries,
            // 256 Identifiers per socket: enough sockets that the concurrency, not the client, bounds what is in flight.
            SocketCount = Math.Clamp((settings.Concurrency + 255) / 256, 1, RadiusClientOptions.MaxSocketCount),
        };
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }

        await using var client = new RadiusClient(options, loggers.CreateLogger<RadiusClient>());
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        var histogram = new LatencyHistogram();
        var started = new DateTimeOffset?[settings.Count];
        int rejected = 0;

        void Fail(string cause)
        {
            lock (failures)
            {
                failures[cause] = failures.GetValueOrDefault(cause) + 1;
            }
        }

        var census = new CpuCensus(settings.CpuGroups);
        var atStart = census.Take();
        int next = -1;
        var setupClock = Stopwatch.StartNew();
        await RunWorkersAsync(settings.Concurrency, async () =>
        {
            var local = new LatencyHistogram();
            int slot;
            while ((slot = Interlocked.Increment(ref next)) < settings.Count)
            {
                long begin = Stopwatch.GetTimestamp();
                var outcome = await SetUpAsync(client, settings, plan, slot, cancellationToken);
                if (outcome is null)
                {
                    local.Record((long)Stopwatch.GetElapsedTime(begin).TotalMicroseconds);
                    started[slot] = DateTimeOffset.UtcNow;
                }
                else if (outcome == "reject")
                {
                    Interlocked.Increment(ref rejected);
                    Fail(outcome);
                }
                else
                {
                    Fail(outcome);
                }
            }

            lock (histogram)
            {
                histogram.Add(local);
            }
        });
        var setupSeconds = setupClock.Elapsed.TotalSeconds;
        var atSetupEnd = census.Take();
        int accepted = started.Count(s => s is not null);
        progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{accepted} of {settings.Count} accepted and started in {setupSeconds:F3} s; stopping them"));

        int stopped = 0;
        next = -1;
        var stopClock = Stopwatch.StartNew();
        await RunWorkersAsync(settings.Concurrency, async () =>
        {
            int slot;
            while ((slot = Interlocked.Increment(ref next)) < settings.Count)
            {
                if (started[slot] is not { } since)
                {
                    continue;
                }

                var cause = await StopAsync(client, settings, plan, slot, DateTimeOffset.UtcNow - since, cancellationToken);
                if (cause is null)
                {
                    Interlocked.Increment(ref stopped);
                }
                else
                {
                    Fail(cause);
                }
            }
        });
        var stopSeconds = stopClock.Elapsed.TotalSeconds;
        var atEnd = census.Take();

        // Set-ups that got no answer, and started sessions whose Stop got none.
        int failed = (settings.Count - accepted - rejected) + (accepted - stopped);
        return new RadiusLoadResult(
            settings.Server.ToString(),
            settings.Count,
            accepted,
            rejected,
            failed,
            stopped,
            failures,
            Math.Round(setupSeconds, 3),
            setupSeconds > 0 ? Math.Round(accepted / setupSeconds, 1) : 0,
            Math.Round(stopSeconds, 3),
            stopSeconds > 0 ? Math.Round(stopped / stopSeconds, 1) : 0,
            LatencySummary.From(histogram),
            client.Statistics.Retransmissions,
            CpuPerSubscriber(settings.CpuGroups, atStart, atSetupEnd, atEnd, accepted, stopped));
    }

    private static List<GroupCpu> CpuPerSubscriber(IReadOnlyList<CpuGroup> groups, CpuCensus.Snapshot start, CpuCensus.Snapshot setupEnd, CpuCensus.Snapshot end, int accepted, int stopped)
    {
        static double Per(double? seconds, int count) => count > 0 && seconds is { } s ? Math.Round(s * 1000 / count, 3) : 0;
        var setup = setupEnd.Since(start);
        var stop = end.Since(setupEnd);
        var cpu = groups.Select(g => new GroupCpu(g.Name, Per(setup[g.Name], accepted), Per(stop[g.Name], stopped))).ToList();
        cpu.Add(new GroupCpu("machine", Per(setupEnd.MachineSince(start), accepted), Per(end.MachineSince(setupEnd), stopped)));
        return cpu;
    }

    private static async Task RunWorkersAsync(int count, Func<Task> worker)
    {
        var workers = new Task[count];
        for (int i = 0; i < count; i++)
        {
            workers[i] = Task.Run(worker);
        }

        await Task.WhenAll(workers);
    }

    /// <summary>Access-Request, then Accounting-Start once accepted. Null when both went through, else why not.</summary>
    private static async Task<string?> SetUpAsync(RadiusClient client, RadiusLoadSettings settings, SubscriberPlan plan, int slot, CancellationToken cancellationToken)
    {
        var mac = SubscriberPlan.FormatMac(plan.Mac(slot));
        var request = RadiusRequest.AccessRequest(UserName(settings, plan, slot), settings.Password)
            .Add(RadiusAttribute.FromIpv4(RadiusAttributeType.NasIpAddress, settings.NasIp))
            .Add(RadiusAttribute.FromString(RadiusAttributeType.NasIdentifier, settings.BngId))
            .Add(RadiusAttribute.FromString(RadiusAttributeType.NasPortId, settings.PortId))
            .Add(RadiusAttribute.FromUInt32(RadiusAttributeType.NasPortType, NasPortTypeEthernet))
            .Add(RadiusAttribute.FromUInt32(RadiusAttributeType.ServiceType, ServiceTypeFramed))
            .Add(RadiusAttribute.FromString(RadiusAttributeType.CallingStationId, mac))
            .Add(RadiusAttribute.FromString(RadiusAttributeType.CalledStationId, settings.BngId));
        try
        {
            var response = await client.AuthenticateAsync(request, cancellationToken);
            if (response.Code != RadiusCode.AccessAccept)
            {
                return "reject";
            }
        }
        catch (RadiusException)
        {
            return "access-request unanswered";
        }

        try
        {
            await client.AccountAsync(WithSession(RadiusRequest.AccountingStart(SessionId(settings, plan, slot)), settings, plan, slot), cancellationToken);
            return null;
        }
        catch (RadiusException)
        {
            return "accounting-start unanswered";
        }
    }

    private static async Task<string?> StopAsync(RadiusClient client, RadiusLoadSettings settings, SubscriberPlan plan, int slot, TimeSpan sessionTime, CancellationToken cancellationToken)
    {
        var counters = new AccountingCounters(0, 0, 0, 0, sessionTime);
        var stop = RadiusRequest.AccountingStop(SessionId(settings, plan, slot), counters, AcctTerminateCause.UserRequest);
        try
        {
            await client.AccountAsync(WithSession(stop, settings, plan, slot), cancellationToken);
            return null;
        }
        catch (RadiusException)
        {
            return "accounting-stop unanswered";
        }
    }

    /// <summary>The session attributes the controller's accounting adds to every record.</summary>
    private static RadiusRequest WithSession(RadiusRequest request, RadiusLoadSettings settings, SubscriberPlan plan, int slot) => request
        .Add(RadiusAttribute.FromString(RadiusAttributeType.UserName, UserName(settings, plan, slot)))
        .Add(RadiusAttribute.FromIpv4(RadiusAttributeType.NasIpAddress, settings.NasIp))
        .Add(RadiusAttribute.FromString(RadiusAttributeType.NasIdentifier, settings.BngId))
        .Add(RadiusAttribute.FromString(RadiusAttributeType.NasPortId, settings.PortId))
        .Add(RadiusAttribute.FromString(RadiusAttributeType.CallingStationId, SubscriberPlan.FormatMac(plan.Mac(slot))))
        .Add(RadiusAttribute.FromIpv4(RadiusAttributeType.FramedIpAddress, FramedIp(settings.FramedBase, plan.Number(slot))));

    internal static string UserName(RadiusLoadSettings settings, SubscriberPlan plan, int slot) =>
        $"{settings.BngId}/{settings.RemoteId}/{plan.CircuitId(slot)}";

    /// <summary>Acct-Session-Id: unique to the remote-id and the subscriber, so runs with their own remote-id never share one.</summary>
    internal static string SessionId(RadiusLoadSettings settings, SubscriberPlan plan, int slot) =>
        string.Create(CultureInfo.InvariantCulture, $"{settings.RemoteId}/{plan.Number(slot)}");

    internal static IPAddress FramedIp(IPAddress framedBase, int number)
    {
        Span<byte> bytes = stackalloc byte[4];
        framedBase.TryWriteBytes(bytes, out _);
        uint value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes) + (uint)number;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
