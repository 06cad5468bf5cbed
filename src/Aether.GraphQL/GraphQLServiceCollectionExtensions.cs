using Aether.GraphQL.Internal;
using Aether.GraphQL.Internal.Data;
using Aether.GraphQL.Internal.Events;
using Aether.GraphQL.Internal.Schema;
using Aether.GraphQL.Internal.Security;
using Aether.GraphQL.Internal.Transport;
using GraphQL;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Aether.GraphQL;

public static class GraphQLServiceCollectionExtensions
{
    /// <summary>
    /// Adds the GraphQL API: the schema (queries, mutations, subscriptions), API-key roles, depth and complexity limits,
    /// batch loading, provisioning into the RADIUS database, and the NATS feed of the subscriptions. Options are bound
    /// from <paramref name="section"/> (usually "GraphQL") and validated at start, every error at once.
    /// Requires <c>AddAetherStorage</c> (the OSS database) and <c>AddAetherEvents</c> (NATS). Register an
    /// <see cref="ISessionControl"/> for disconnects and rate changes, and an <see cref="IAgentDirectory"/> for <c>agents</c>.
    /// </summary>
    public static IServiceCollection AddAetherGraphQL(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);

        services.AddOptions<AetherGraphQLOptions>()
            .Bind(section)
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                // Provision what the controller authorizes: its RADIUS database, password and User-Name template.
                options.RadiusConnectionString ??= configuration.GetConnectionString("Radius");
                options.SubscriberPassword ??= configuration["Controller:SubscriberPassword"] ?? AetherGraphQLOptions.DefaultSubscriberPassword;
                options.UserNameTemplate ??= configuration["Controller:UserNameTemplate"] ?? AetherGraphQLOptions.DefaultUserNameTemplate;
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AetherGraphQLOptions>, AetherGraphQLOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<ApiKeyStore>();
        services.TryAddSingleton<OssReadModels>();
        services.TryAddSingleton<RadiusDatabase>();
        services.TryAddSingleton<Internal.Provisioning.Provisioning>();
        services.TryAddSingleton<GraphQLExecutor>();
        services.TryAddSingleton<WebSocketEndpoint>();
        services.TryAddSingleton<EventHub>();
        services.AddHostedService(sp => sp.GetRequiredService<EventHub>());
        services.AddHostedService<GraphQLStartup>();

        services.AddGraphQL(builder => builder
            .AddSchema<AetherSchema>()
            .AddSystemTextJson()
            .AddGraphTypes(typeof(AetherSchema).Assembly)
            .AddErrorInfoProvider(o => o.ExposeExceptionDetails = false)
            .AddValidationRule<AuthorizationRule>()
            .AddComplexityAnalyzer((complexity, sp) =>
            {
                var options = sp.GetRequiredService<IOptions<AetherGraphQLOptions>>().Value;
                complexity.MaxDepth = options.MaxDepth;
                complexity.MaxComplexity = options.MaxComplexity;
            }));
        return services;
    }

    /// <summary>
    /// Maps GraphQL at <paramref name="path"/>: POST and GET over HTTP, and WebSocket (graphql-transport-ws) on the same
    /// path; and the GraphiQL explorer at /graphiql when enabled. On a <see cref="WebApplication"/> it also adds the
    /// WebSocket middleware; elsewhere call <c>UseWebSockets()</c> before routing.
    /// </summary>
    public static IEndpointRouteBuilder MapAetherGraphQL(this IEndpointRouteBuilder endpoints, string path = "/graphql")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints is IApplicationBuilder app)
        {
            app.UseWebSockets();
        }

        endpoints.MapMethods(path, [HttpMethods.Get, HttpMethods.Post], HttpEndpoint.HandleAsync);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<AetherGraphQLOptions>>();
        if (options.Value.EnableGraphiQL)
        {
            endpoints.MapGet(GraphiQLEndpoint.Path, GraphiQLEndpoint.PageAsync);
            endpoints.MapGet(GraphiQLEndpoint.Path + "/{file}", (HttpContext http, string file) => GraphiQLEndpoint.FileAsync(http, file));
        }

        return endpoints;
    }
}
