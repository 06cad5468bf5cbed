using Aether.Contracts.Agent.V1;
using Aether.Controller.Sessions;
using Google.Protobuf;
using NATS.Client.Core;

namespace Aether.Controller.Agents;

/// <summary>
/// Delivers a command to an agent wherever it is connected: directly if it holds a stream to this
/// controller, otherwise as a NATS request on aether.commands.&lt;bng_id&gt;, answered only by the controller
/// that holds that agent. Several controllers behind one address need nothing else.
/// </summary>
internal sealed partial class AgentCommandBus : BackgroundService
{
    public const string SubjectPrefix = "aether.commands.";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    private readonly AgentRegistry _registry;
    private readonly INatsConnection _nats;
    private readonly ILogger<AgentCommandBus> _logger;

    public AgentCommandBus(AgentRegistry registry, INatsConnection nats, ILogger<AgentCommandBus> logger)
    {
        _registry = registry;
        _nats = nats;
        _logger = logger;
    }

    public async Task SendAsync(string bngId, ControllerMessage command, CancellationToken ct)
    {
        if (_registry.Find(bngId) is { } local)
        {
            await local.SendAsync(m => m.MergeFrom(command), ct);
            return;
        }
        try
        {
            var reply = await _nats.RequestAsync<byte[], string>(SubjectPrefix + bngId, command.ToByteArray(),
                replyOpts: new NatsSubOpts { Timeout = RequestTimeout }, cancellationToken: ct);
            if (reply.Data != "ok")
            {
                throw new AgentUnavailableException(bngId);
            }
        }
        catch (NatsNoRespondersException)
        {
            throw new AgentUnavailableException(bngId);
        }
        catch (NatsNoReplyException)
        {
            throw new AgentUnavailableException(bngId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var msg in _nats.SubscribeAsync<byte[]>(SubjectPrefix + "*", cancellationToken: stoppingToken))
                {
                    var bngId = msg.Subject[SubjectPrefix.Length..];
                    if (_registry.Find(bngId) is not { } connection || msg.Data is null)
                    {
                        continue; // another controller holds this agent
                    }
                    var command = ControllerMessage.Parser.ParseFrom(msg.Data);
                    await connection.SendAsync(m => m.MergeFrom(command), stoppingToken);
                    await msg.ReplyAsync("ok", cancellationToken: stoppingToken);
                    LogForwarded(command.BodyCase.ToString(), bngId);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogBusFailed(ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    [LoggerMessage(EventId = 2500, Level = LogLevel.Information, Message = "Forwarded {Command} from another controller to agent {BngId}")]
    private partial void LogForwarded(string command, string bngId);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Warning, Message = "Command bus subscription failed: {Reason}; resubscribing")]
    private partial void LogBusFailed(string reason);
}
