using Aether.Controller.Aaa;
using Aether.Controller.Agents;
using Aether.Controller.Operations;
using Aether.Controller.Reconciliation;
using Aether.Controller.Sessions;
using Aether.Controller.Telemetry;
using Aether.Events;
using Aether.GraphQL;
using Aether.Ingestor;
using Aether.Observability;
using Aether.Radius;
using Aether.Radius.DynamicAuthorization;
using Aether.Storage;
using Microsoft.Extensions.Options;

namespace Aether.Controller;

/// <summary>The controller's services and endpoints, as the executable and the in-process tests build them.</summary>
internal static class ControllerApplication
{
    /// <summary>
    /// Builds the controller from <paramref name="args"/> (<c>--Section:Key=value</c>) over appsettings.json in
    /// <paramref name="contentRoot"/> (default: beside the binary, wherever it is started from).
    /// </summary>
    public static WebApplication Build(string[] args, string? contentRoot = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = contentRoot ?? AppContext.BaseDirectory });
        // *SecretFile, *PasswordFile and *TokenFile settings: the secret read from that file (docs/operations.md).
        builder.Configuration.AddAetherSecretFiles();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.AddAetherController();
        return builder.Build().MapAetherController();
    }

    /// <summary>Every service of the controller, bound to <paramref name="builder"/>'s configuration (validated at start).</summary>
    /// <exception cref="InvalidOperationException">ConnectionStrings:Aether is missing.</exception>
    public static WebApplicationBuilder AddAetherController(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ControllerOptions>().Bind(builder.Configuration.GetSection(ControllerOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ControllerOptions>, ControllerOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);

        var connectionString = builder.Configuration.GetConnectionString("Aether");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("ConnectionStrings:Aether is required (the OSS PostgreSQL database).");
        }
        builder.Services.AddAetherRadiusClient(builder.Configuration.GetSection("Radius"));
        builder.Services.AddAetherEvents(builder.Configuration.GetSection("Events"));
        builder.Services.AddAetherStorage(connectionString);
        if (builder.Configuration.GetValue("Ingestor:Enabled", true))
        {
            builder.Services.AddAetherIngestor(builder.Configuration.GetSection("Ingestor"));
        }

        // RFC 5176 listener, when CoA/Disconnect clients are configured (each with its own secret).
        if (builder.Configuration.GetSection("DynamicAuthorization:Clients").GetChildren().Any())
        {
            builder.Services.AddAetherDynamicAuthorizationServer(builder.Configuration.GetSection("DynamicAuthorization"),
                sp => sp.GetRequiredService<ChangeOfAuthorization>().HandleAsync);
        }

        builder.Services.AddOptions<ReconcilerOptions>().Bind(builder.Configuration.GetSection(ReconcilerOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ReconcilerOptions>, ReconcilerOptionsValidator>();
        if (builder.Configuration.GetValue<bool>("Reconciler:Enabled"))
        {
            builder.Services.AddHttpClient<KeaLeaseClient>();
            builder.Services.AddSingleton<LeaseReconciler>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LeaseReconciler>());
        }

        builder.Services.AddSingleton<AgentRegistry>();
        builder.Services.AddSingleton<AgentAuthenticator>();
        builder.Services.AddSingleton<AgentCertificates>();
        // TLS comes from Kestrel's own settings (Kestrel:Endpoints:<name>:Url https://..., :Certificate:Path/KeyPath,
        // :ClientCertificateMode); agents' client certificates are checked against Controller:AgentCaFile.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            https.ClientCertificateValidation = (certificate, _, errors) =>
                kestrel.ApplicationServices.GetRequiredService<AgentCertificates>().IsTrusted(certificate, errors)));
        builder.Services.AddSingleton<Tombstones>();
        builder.Services.AddSingleton<SessionCommands>();
        builder.Services.AddSingleton<ChangeOfAuthorization>();
        builder.Services.AddSingleton<AgentCommandBus>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AgentCommandBus>());
        builder.Services.AddSingleton<SessionDirectory>();
        builder.Services.AddSingleton<Authorizer>();
        builder.Services.AddSingleton<AccessRouters>();
        builder.Services.AddSingleton<SessionReports>();
        builder.Services.AddSingleton<AccountingQueue>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AccountingQueue>());

        builder.Services.AddGrpc(o =>
        {
            // A hello carries every session the agent holds (about 150 bytes each): 32 MB is 200,000 sessions.
            o.MaxReceiveMessageSize = builder.Configuration.GetValue("Controller:MaxReceiveMessageBytes", ControllerOptions.DefaultMaxReceiveMessageBytes);
            o.EnableDetailedErrors = false;
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddAetherControllerTelemetry(builder.Configuration);
        builder.Services.AddAetherGraphQL(builder.Configuration.GetSection("GraphQL"));
        builder.Services.AddSingleton<GraphQLSessionControl>();
        builder.Services.AddSingleton<ISessionControl>(sp => sp.GetRequiredService<GraphQLSessionControl>());
        builder.Services.AddSingleton<IAgentDirectory>(sp => sp.GetRequiredService<GraphQLSessionControl>());
        return builder;
    }

    /// <summary>The agent gateway, Operations API, GraphQL, telemetry, health endpoints and the web console.</summary>
    public static WebApplication MapAetherController(this WebApplication app)
    {
        app.MapGrpcService<AgentGatewayService>();
        app.MapGrpcService<OperationsService>();
        app.MapGrpcReflectionService();
        app.MapAetherTelemetry();
        app.MapAetherGraphQL();
        // The web dashboard and provisioning console (web/dist), with client-side routes falling back to index.html.
        var webRoot = app.Configuration["Controller:WebRoot"];
        if (!string.IsNullOrWhiteSpace(webRoot) && Directory.Exists(webRoot))
        {
            var files = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetFullPath(webRoot));
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
            app.MapFallbackToFile("index.html", new StaticFileOptions { FileProvider = files });
        }

        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/healthz/agents", (AgentRegistry registry) => Results.Json(registry.Agents.Select(a => new
        {
            bngId = a.BngId,
            instanceId = a.InstanceId,
            peer = a.Peer,
            connected = a.Connected,
            sessions = a.SessionCount,
        })));
        return app;
    }
}
