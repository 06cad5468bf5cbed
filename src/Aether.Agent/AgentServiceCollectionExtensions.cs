using Aether.Agent.Control;
using Aether.Agent.Dhcp;
using Aether.Agent.Health;
using Aether.Agent.Kernel;
using Aether.Agent.Sessions;
using Aether.Agent.State;
using Microsoft.Extensions.Options;

namespace Aether.Agent;

internal static class AgentServiceCollectionExtensions
{
    /// <summary>
    /// The agent's services. Hosted services start in this order: the kernel's base state, the session table's
    /// recovery, the class pool (in the background), the controller link (whose Hello carries the recovered sessions),
    /// the relay, timers and health.
    /// </summary>
    public static IServiceCollection AddAetherAgent(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AgentOptions>().Bind(configuration.GetSection(AgentOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new CommandRunner());
        services.AddSingleton<AgentStateDirectory>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<ReportJournal>();
        services.AddSingleton<AgentIdentity>();
        services.AddSingleton<RelayCounters>();
        services.AddSingleton<SubscriberCapture>();
        services.AddSingleton<SessionKernel>();
        services.AddSingleton<ISessionKernel>(sp => sp.GetRequiredService<SessionKernel>());
        services.AddSingleton<SessionManager>();
        services.AddSingleton<IControllerCommandHandler>(sp => sp.GetRequiredService<SessionManager>());
        services.AddSingleton(sp => new Lazy<IControllerCommandHandler>(sp.GetRequiredService<IControllerCommandHandler>));
        services.AddSingleton<ControllerLink>();
        services.AddSingleton<IControllerLink>(sp => sp.GetRequiredService<ControllerLink>());
        services.AddSingleton(new CgroupReader());
        services.AddSingleton<InterfaceMonitor>();
        services.AddSingleton<SystemdUnits>();

        services.AddHostedService(sp => sp.GetRequiredService<SessionKernel>());
        services.AddHostedService<SessionRecovery>();
        services.AddHostedService<ClassPool>();
        services.AddHostedService(sp => sp.GetRequiredService<ControllerLink>());
        services.AddHostedService<RelayService>();
        services.AddHostedService<SessionTimers>();
        services.AddHostedService<HealthReporter>();
        return services;
    }
}
