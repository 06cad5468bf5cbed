using System.Diagnostics;
using System.Globalization;
using Aether.Agent;
using Aether.Agent.Kernel;
using Aether.Agent.Sessions;
using Aether.Agent.State;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Aether.AgentScaleBench;

/// <summary>The phases of one run; see Program.cs.</summary>
internal sealed class AgentScaleBenchmark(BenchSettings settings, TextWriter output) : IAsyncDisposable
{
    private const uint LeaseSeconds = 86_400;
    private const uint FirstAddress = 0x64400002; // 100.64.0.2: the gateway is .1
    private const string Table = "aether";

    private readonly ManualClock _clock = new();
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "aether-agent-scale-bench", Guid.NewGuid().ToString("N")[..12]);
    private readonly List<(int Sessions, TimeSpan Wall, CpuClock Cpu)> _installs = [];
    private readonly List<MemorySample> _memory = [];
    private (TimeSpan Wall, CpuClock Cpu, ClassPoolResult Result, long SlabBytes)? _pool;
    private BenchNamespace? _ns;
    private SessionKernel? _kernel;
    private SessionStore? _store;
    private ReportJournal? _journal;
    private StubController? _controller;
    private SessionManager? _sessions;

    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        var n = settings.Sessions;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{n} sessions in batches of {settings.Batch} on one interface, {settings.Shards}+{settings.Shards} shards; churn {settings.Churn}; class pool {settings.Pool}; {Environment.ProcessorCount} CPUs, load average {LoadAverage()}"));
        _ns = await BenchNamespace.CreateAsync();
        var options = Options.Create(new AgentOptions
        {
            BngId = "bng-bench",
            DhcpServer = "198.18.0.1",
            StateDirectory = _stateDirectory,
            ShapingShards = settings.Shards,
            ClassPool = settings.Pool,
            NftTable = Table,
            SubscriberInterfaces = [new SubscriberInterfaceOptions { Name = BenchNamespace.Interface, GatewayIp = BenchNamespace.GatewayIp }],
        });
        _kernel = new SessionKernel(options, new CommandRunner(_ns.Name), NullLogger<SessionKernel>.Instance);
        await _kernel.StartAsync(cancellationToken);
        var state = new AgentStateDirectory(options);
        _store = new SessionStore(state, options, TimeProvider.System);
        _journal = new ReportJournal(state, options, TimeProvider.System, NullLogger<ReportJournal>.Instance);
        _controller = new StubController(state, _journal, TimeProvider.System);
        _sessions = new SessionManager(options, _controller, _kernel, _store, _clock, NullLogger<SessionManager>.Instance);
        output.WriteLine($"namespace {_ns.Name}, state in {_stateDirectory}");

        var ok = true;
        _memory.Add(MemorySample.Take(0));

        if (settings.Pool > 0)
        {
            // The class pool as the agent creates it after start, before any subscriber: timed on its own.
            var slab = SlabBytes();
            var poolCpu = CpuClock.Now();
            var poolClock = Stopwatch.StartNew();
            var filled = await _sessions.FillClassPoolAsync(settings.Pool, cancellationToken);
            var wall = poolClock.Elapsed;
            _pool = (wall, CpuClock.Now() - poolCpu, filled, SlabBytes() - slab);
            ok &= Check(filled.Complete && filled.Parked == settings.Pool, $"class pool of {settings.Pool}: {filled}");
            var census = await KernelCensus.TakeAsync(_ns, Table, settings.Shards);
            ok &= Check(census == new KernelCensus(0, 0, 2 * settings.Pool, 0), $"kernel after the pool: {census}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"class pool: {filled.Created} classes per direction in {wall.TotalSeconds:F2} s   cpu agent {_pool.Value.Cpu.Own:F2} s, nft/tc {_pool.Value.Cpu.Children:F2} s, kernel slab {_pool.Value.SlabBytes / 1048576.0:+0;-0} MB"));
        }

        // Install: each batch as that many DHCPACKs arriving at once (the relay handles replies concurrently).
        for (var start = 0; start < n; start += settings.Batch)
        {
            var count = Math.Min(settings.Batch, n - start);
            var cpu = CpuClock.Now();
            var clock = Stopwatch.StartNew();
            var results = await Task.WhenAll(Enumerable.Range(start, count).Select(i => OnlineAsync(i, generation: 0, cancellationToken)));
            var wall = clock.Elapsed;
            var used = CpuClock.Now() - cpu;
            _installs.Add((start + count, wall, used));
            ok &= Check(results.All(r => r), $"every ACK of {start}..{start + count - 1} made a session");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"install {count} -> {start + count,6} sessions: {wall.TotalSeconds,6:F2} s   cpu agent {used.Own,5:F2} s, nft/tc {used.Children,5:F2} s"));
            if (start + count == Math.Min(10_000, n) || start + count == n)
            {
                _memory.Add(MemorySample.Take(start + count));
            }
        }
        ok &= Check(_sessions.Count == n, $"{n} sessions in the table");

        // One counter sweep as the agent's timer runs it: both sets read, every session's totals and deltas reported.
        var sweepCpu = CpuClock.Now();
        var sweepClock = Stopwatch.StartNew();
        await _sessions.SweepCountersAsync(cancellationToken);
        var sweep = (Wall: sweepClock.Elapsed, Cpu: CpuClock.Now() - sweepCpu, Read: _controller.CountedSessions);
        ok &= Check(sweep.Read == n, $"the sweep read {n} sessions");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"counter sweep: {sweep.Read} sessions in {sweep.Wall.TotalSeconds:F2} s"));

        // Churn: some subscribers release, new ones take their addresses (and the parked classes).
        var churn = settings.Churn;
        var releaseCpu = CpuClock.Now();
        var releaseClock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, churn).Select(i => _sessions.OnClientEndAsync(Key(i, 0), Address(i), DhcpMessageType.Release, cancellationToken)));
        var release = (Wall: releaseClock.Elapsed, Cpu: CpuClock.Now() - releaseCpu);
        ok &= Check(_sessions.Count == n - churn, $"{churn} sessions released");
        var readdCpu = CpuClock.Now();
        var readdClock = Stopwatch.StartNew();
        var readds = await Task.WhenAll(Enumerable.Range(0, churn).Select(i => OnlineAsync(i, generation: 1, cancellationToken)));
        var readd = (Wall: readdClock.Elapsed, Cpu: CpuClock.Now() - readdCpu);
        ok &= Check(readds.All(r => r) && _sessions.Count == n, $"{churn} new subscribers took their addresses");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"churn: released {churn} in {release.Wall.TotalSeconds:F2} s, {churn} new on parked classes in {readd.Wall.TotalSeconds:F2} s"));

        // Every class is a session's or parked (none without a pool: the churn re-used the released ones).
        var before = await KernelCensus.TakeAsync(_ns, Table, settings.Shards);
        var parkedAtPeak = _sessions.ParkedClasses;
        ok &= Check(before == new KernelCensus(n, n, 2 * (n + parkedAtPeak), 2 * n), $"kernel at {n} sessions and {parkedAtPeak} parked classes: {before}");

        // Removal: every lease runs out at once; one pass of the agent's expiry timer ends them all.
        _clock.Advance(TimeSpan.FromSeconds(2 * LeaseSeconds));
        var removeCpu = CpuClock.Now();
        var removeClock = Stopwatch.StartNew();
        await _sessions.ExpireAsync(cancellationToken);
        var removal = (Wall: removeClock.Elapsed, Cpu: CpuClock.Now() - removeCpu);
        ok &= Check(_sessions.Count == 0, "every session expired");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"expiry: {n} sessions ended in {removal.Wall.TotalSeconds:F2} s"));

        // A later pass of the timer forgets the decisions of subscribers who are gone.
        _clock.Advance(TimeSpan.FromMinutes(10));
        await _sessions.ExpireAsync(cancellationToken);
        ok &= Check(_sessions.CachedDecisions == 0, $"{_sessions.CachedDecisions} decisions still cached");
        _controller.AckAll();
        _memory.Add(MemorySample.Take(0));
        var after = await KernelCensus.TakeAsync(_ns, Table, settings.Shards);
        // Ended sessions leave their classes parked (both directions); nothing else stays.
        ok &= Check(after == new KernelCensus(0, 0, 2 * (n + parkedAtPeak), 0) && _sessions.ParkedClasses == n + parkedAtPeak, $"kernel after the expiry: {after}");
        ok &= Check(_store.Count == 0, $"state file holds {_store.Count} sessions");
        ok &= Check(_journal.Count == 0, $"journal holds {_journal.Count} unacked reports");

        PrintSummary(n, sweep, release, readd, removal, before, after);
        return ok;
    }

    public async ValueTask DisposeAsync()
    {
        if (_controller is not null)
        {
            await _controller.DisposeAsync();
        }
        _sessions?.Dispose();
        if (_kernel is not null)
        {
            await _kernel.StopAsync(CancellationToken.None);
            _kernel.Dispose();
        }
        _store?.Dispose();
        _journal?.Dispose();
        if (_ns is not null)
        {
            await _ns.DisposeAsync();
        }
        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static SubscriberKey Key(int i, int generation) => new(
        string.Create(CultureInfo.InvariantCulture, $"02:{generation:x2}:00:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2}"),
        string.Create(CultureInfo.InvariantCulture, $"an-{i / 4096:D2} eth 0/{i / 64 % 64}/{i % 64}:{100 + generation}"),
        string.Create(CultureInfo.InvariantCulture, $"an-{i / 4096:D2}"));

    private static Ipv4Address Address(int i) => new(FirstAddress + (uint)i);

    /// <summary>One subscriber's DISCOVER (authorization) and the server's DHCPACK, as the relay hands them to the session table.</summary>
    private async Task<bool> OnlineAsync(int i, int generation, CancellationToken cancellationToken)
    {
        var key = Key(i, generation);
        var decision = await _sessions!.AuthorizeAsync(key, Identity(key), (uint)i, cancellationToken);
        return decision.Accepted && await _sessions.OnAckAsync(BenchNamespace.Interface, key, Identity(key), Address(i), LeaseSeconds, cancellationToken);
    }

    /// <summary>What the relay builds from each captured request and reply: its own strings each time.</summary>
    private static SubscriberIdentity Identity(SubscriberKey key) => new()
    {
        Mac = new string(key.Mac),
        CircuitId = new string(key.CircuitId),
        RemoteId = new string(key.RemoteId),
        RelayId = "bng-bench",
        Interface = BenchNamespace.Interface,
        Giaddr = Ipv4Address.Parse(BenchNamespace.GatewayIp).ToString(),
    };

    private bool Check(bool condition, string what)
    {
        if (!condition)
        {
            output.WriteLine("FAILED: " + what);
        }
        return condition;
    }

    private void PrintSummary(int n, (TimeSpan Wall, CpuClock Cpu, long Read) sweep, (TimeSpan Wall, CpuClock Cpu) release, (TimeSpan Wall, CpuClock Cpu) readd,
        (TimeSpan Wall, CpuClock Cpu) removal, KernelCensus before, KernelCensus after)
    {
        static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        output.WriteLine();
        if (_pool is { } pool)
        {
            output.WriteLine("| class pool before the first session | time | rate | CPU agent + nft/tc | kernel slab |");
            output.WriteLine("| --- | --- | --- | --- | --- |");
            output.WriteLine(F($"| {pool.Result.Created:N0} classes per direction ({2 * pool.Result.Created:N0} HTB classes) | {pool.Wall.TotalSeconds:F1} s | {pool.Result.Created / pool.Wall.TotalSeconds:F0}/s | {pool.Cpu.Own:F2} + {pool.Cpu.Children:F1} s | {pool.SlabBytes / 1048576.0:+0;-0} MB |"));
            output.WriteLine();
        }
        output.WriteLine(F($"| sessions on the agent | install the last {settings.Batch:N0} | CPU agent + nft/tc |"));
        output.WriteLine("| --- | --- | --- |");
        var marks = new SortedSet<int> { _installs[0].Sessions, n };
        for (var m = 10_000; m < n; m += 10_000)
        {
            marks.Add(m);
        }
        foreach (var (sessions, wall, cpu) in _installs.Where(x => marks.Contains(x.Sessions)))
        {
            output.WriteLine(F($"| {sessions:N0} | {wall.TotalSeconds:F2} s | {cpu.Own:F2} + {cpu.Children:F2} s |"));
        }
        var total = _installs.Aggregate(TimeSpan.Zero, (sum, x) => sum + x.Wall);
        output.WriteLine(F($"| all {n:N0} | {total.TotalSeconds:F1} s ({n / total.TotalSeconds:F0}/s) | {_installs.Sum(x => x.Cpu.Own):F1} + {_installs.Sum(x => x.Cpu.Children):F1} s |"));
        output.WriteLine();
        output.WriteLine(F($"| at {n:N0} sessions | time | rate | CPU agent + nft/tc |"));
        output.WriteLine("| --- | --- | --- | --- |");
        output.WriteLine(F($"| one counter sweep ({sweep.Read:N0} sessions read and reported) | {sweep.Wall.TotalSeconds:F2} s | {sweep.Read / sweep.Wall.TotalSeconds:F0}/s | {sweep.Cpu.Own:F2} + {sweep.Cpu.Children:F2} s |"));
        output.WriteLine(F($"| release {settings.Churn:N0} (DHCPRELEASE, final counters read) | {release.Wall.TotalSeconds:F2} s | {settings.Churn / release.Wall.TotalSeconds:F0}/s | {release.Cpu.Own:F2} + {release.Cpu.Children:F2} s |"));
        output.WriteLine(F($"| {settings.Churn:N0} new subscribers on parked classes | {readd.Wall.TotalSeconds:F2} s | {settings.Churn / readd.Wall.TotalSeconds:F0}/s | {readd.Cpu.Own:F2} + {readd.Cpu.Children:F2} s |"));
        output.WriteLine(F($"| every lease expires: remove all {n:N0} | {removal.Wall.TotalSeconds:F2} s | {n / removal.Wall.TotalSeconds:F0}/s | {removal.Cpu.Own:F2} + {removal.Cpu.Children:F2} s |"));
        output.WriteLine();
        // Per session against the start, so one-time costs (code paths run once, protobuf descriptors) count too.
        output.WriteLine("| sessions | resident (RSS) | GC heap | live managed | per session |");
        output.WriteLine("| --- | --- | --- | --- | --- |");
        var start = _memory[0].LiveBytes;
        for (var i = 0; i < _memory.Count; i++)
        {
            var m = _memory[i];
            var label = i == 0 ? "0 (start)" : i == _memory.Count - 1 ? "0 (all ended)" : F($"{m.Sessions:N0}");
            var perSession = m.Sessions > 0 ? F($"{(m.LiveBytes - start) / (double)m.Sessions:F0} B") : "";
            output.WriteLine(F($"| {label} | {m.ResidentBytes / 1048576.0:F0} MB | {m.HeapBytes / 1048576.0:F0} MB | {m.LiveBytes / 1048576.0:F1} MB | {perSession} |"));
        }
        output.WriteLine(F($"| peak resident over the run | {MemorySample.PeakResidentBytes() / 1048576.0:F0} MB | | | |"));
        output.WriteLine();
        output.WriteLine(F($"kernel at {n:N0}: sub_up {before.UpElements}, sub_down {before.DownElements}, classes {before.Classes}, session filters {before.Filters}"));
        output.WriteLine(F($"kernel after the expiry: sub_up {after.UpElements}, sub_down {after.DownElements}, classes {after.Classes} (parked), session filters {after.Filters}"));
        output.WriteLine(F($"load average {LoadAverage()}"));
    }

    /// <summary>The kernel's slab memory, host-wide (/proc/meminfo): what HTB classes and their qdiscs take, among all else.</summary>
    private static long SlabBytes()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("Slab:", StringComparison.Ordinal));
        return long.Parse(line["Slab:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
