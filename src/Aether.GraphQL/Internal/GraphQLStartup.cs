using Aether.GraphQL.Internal.Data;
using Aether.GraphQL.Internal.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aether.GraphQL.Internal;

/// <summary>Says at start what the API allows when nothing locks it down (no keys, no RADIUS database).</summary>
internal sealed class GraphQLStartup : IHostedService
{
    private readonly ApiKeyStore _keys;
    private readonly RadiusDatabase _radius;
    private readonly AetherGraphQLOptions _options;
    private readonly ILogger<GraphQLStartup> _logger;

    public GraphQLStartup(ApiKeyStore keys, RadiusDatabase radius, IOptions<AetherGraphQLOptions> options, ILogger<GraphQLStartup> logger)
    {
        _keys = keys;
        _radius = radius;
        _options = options.Value;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var reads = _options.AllowAnonymousRead ? "open to anyone" : "refused without a key";
        if (_keys.Count == 0)
        {
            GraphQLLog.NoApiKeys(_logger, reads);
        }
        else
        {
            GraphQLLog.ApiKeys(_logger, _keys.Count, _keys.OperatorCount, _options.AllowAnonymousRead ? "allowed" : "refused");
        }

        if (!_radius.IsConfigured)
        {
            GraphQLLog.NoRadiusDatabase(_logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class AetherGraphQLOptionsValidator : IValidateOptions<AetherGraphQLOptions>
{
    public ValidateOptionsResult Validate(string? name, AetherGraphQLOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
