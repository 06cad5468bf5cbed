namespace Aether.Agent.Sessions;

/// <summary>
/// Runs the session table's recovery at start, after the kernel is ready and before the controller link and the
/// relay start (hosted services start in order), so the Hello carries the recovered sessions.
/// </summary>
internal sealed class SessionRecovery(SessionManager sessions) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => sessions.RecoverAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
