using System.Runtime.CompilerServices;
using Aether.Contracts.Agent.V1;
using Microsoft.Extensions.Options;
using Tmds.DBus;

[assembly: InternalsVisibleTo(Connection.DynamicAssemblyName)]

namespace Aether.Agent.Health;

/// <summary>systemd's manager object on the system bus (org.freedesktop.systemd1.Manager).</summary>
[DBusInterface("org.freedesktop.systemd1.Manager")]
internal interface ISystemdManager : IDBusObject
{
    Task<ObjectPath> LoadUnitAsync(string name);
}

/// <summary>A unit (org.freedesktop.systemd1.Unit); only its properties are read.</summary>
[DBusInterface("org.freedesktop.systemd1.Unit")]
internal interface ISystemdUnit : IDBusObject
{
    Task<T> GetAsync<T>(string prop);
}

/// <summary>
/// Reads the state of the configured systemd units over D-Bus with Tmds.DBus. Hosts without systemd or without a
/// system bus (containers, this lab) are normal: the reader says so once, reports no units, and tries the bus
/// again only after a while.
/// </summary>
internal sealed partial class SystemdUnits : IDisposable
{
    private const string Service = "org.freedesktop.systemd1";
    private static readonly ObjectPath ManagerPath = new("/org/freedesktop/systemd1");
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(5);

    private readonly IReadOnlyList<string> _units;
    private readonly string? _address;
    private readonly TimeProvider _time;
    private readonly ILogger<SystemdUnits> _logger;
    private Connection? _connection;
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;
    private bool _reportedUnavailable;

    public SystemdUnits(IOptions<AgentOptions> options, TimeProvider time, ILogger<SystemdUnits> logger)
        : this(options.Value.SystemdUnits, Address.System, time, logger)
    {
    }

    internal SystemdUnits(IReadOnlyList<string> units, string? address, TimeProvider time, ILogger<SystemdUnits> logger)
    {
        _units = units;
        _address = address;
        _time = time;
        _logger = logger;
    }

    /// <summary>True after the last read reached systemd.</summary>
    public bool Available { get; private set; }

    public async Task<List<UnitHealth>> ReadAsync(CancellationToken cancellationToken)
    {
        var result = new List<UnitHealth>();
        if (_units.Count == 0)
        {
            return result;
        }
        var manager = await ConnectAsync(cancellationToken);
        if (manager is null)
        {
            return result;
        }
        foreach (var name in _units)
        {
            try
            {
                var unit = _connection!.CreateProxy<ISystemdUnit>(Service, await manager.LoadUnitAsync(name).WaitAsync(cancellationToken));
                result.Add(new UnitHealth
                {
                    Name = name,
                    ActiveState = await unit.GetAsync<string>("ActiveState").WaitAsync(cancellationToken),
                    SubState = await unit.GetAsync<string>("SubState").WaitAsync(cancellationToken),
                });
            }
            catch (DBusException ex)
            {
                result.Add(new UnitHealth { Name = name, ActiveState = "unknown", SubState = ex.ErrorName });
            }
        }
        return result;
    }

    private async Task<ISystemdManager?> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            if (_time.GetUtcNow() < _retryAt)
            {
                return null;
            }
            if (string.IsNullOrEmpty(_address))
            {
                return Unavailable("no system bus address");
            }
            var connection = new Connection(_address);
            try
            {
                await connection.ConnectAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                _connection = connection;
            }
            catch (Exception ex) when (ex is ConnectException or DBusException or TimeoutException or IOException or ArgumentException or InvalidOperationException)
            {
                connection.Dispose();
                return Unavailable(ex.Message);
            }
        }
        try
        {
            var manager = _connection.CreateProxy<ISystemdManager>(Service, ManagerPath);
            if (await _connection.ResolveServiceOwnerAsync(Service).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken) is null)
            {
                _connection.Dispose();
                _connection = null;
                return Unavailable($"{Service} is not on the bus");
            }
            if (!Available)
            {
                LogAvailable(_units.Count);
            }
            Available = true;
            _reportedUnavailable = false;
            return manager;
        }
        catch (Exception ex) when (ex is DBusException or TimeoutException or DisconnectedException or ObjectDisposedException)
        {
            _connection?.Dispose();
            _connection = null;
            return Unavailable(ex.Message);
        }
    }

    private ISystemdManager? Unavailable(string reason)
    {
        Available = false;
        _retryAt = _time.GetUtcNow() + RetryAfter;
        if (!_reportedUnavailable)
        {
            _reportedUnavailable = true;
            LogUnavailable(reason);
        }
        return null;
    }

    public void Dispose() => _connection?.Dispose();

    [LoggerMessage(EventId = 1800, Level = LogLevel.Information, Message = "systemd is not reachable over D-Bus ({Reason}); unit state is not reported")]
    private partial void LogUnavailable(string reason);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Information, Message = "Reading the state of {Count} systemd units over D-Bus")]
    private partial void LogAvailable(int count);
}
