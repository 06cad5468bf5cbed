using Microsoft.Extensions.Options;

namespace Aether.Agent.Sessions;

/// <summary>
/// Creates the Agent:ClassPool classes (and the interfaces' own pools) in the background once the session table is recovered (it is registered
/// after <see cref="SessionRecovery"/>, whose start completes first). The agent serves subscribers meanwhile; a
/// failure leaves new sessions creating their own classes, as without a pool.
/// </summary>
internal sealed partial class ClassPool(IOptions<AgentOptions> options, SessionManager sessions, ILogger<ClassPool> logger) : BackgroundService
{
    private readonly ILogger<ClassPool> _logger = logger;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var target = options.Value.ClassPool + options.Value.SubscriberInterfaces.Sum(i => i.ClassPool);
        if (target == 0)
        {
            return;
        }
        // Off the host's start path: the relay and the controller link start while the pool fills.
        await Task.Yield();
        try
        {
            await sessions.FillClassPoolAsync(options.Value.ClassPool, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogFailed(ex);
        }
    }

    [LoggerMessage(EventId = 1419, Level = LogLevel.Error, Message = "Class pool failed; new sessions create their classes as without a pool")]
    private partial void LogFailed(Exception exception);
}
