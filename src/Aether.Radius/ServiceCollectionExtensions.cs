using Aether.Radius.DynamicAuthorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aether.Radius;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers a singleton <see cref="RadiusClient"/> bound to <paramref name="section"/>, validated at start with every error reported.</summary>
    public static IServiceCollection AddAetherRadiusClient(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<RadiusClientOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RadiusClientOptions>, RadiusClientOptionsValidator>());
        services.TryAddSingleton(sp => new RadiusClient(
            sp.GetRequiredService<IOptions<RadiusClientOptions>>().Value,
            sp.GetRequiredService<ILogger<RadiusClient>>(),
            sp.GetService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Registers a hosted <see cref="DynamicAuthorizationServer"/> bound to <paramref name="section"/>, validated at start;
    /// <paramref name="handler"/> builds the function deciding each request.
    /// </summary>
    public static IServiceCollection AddAetherDynamicAuthorizationServer(
        this IServiceCollection services,
        IConfiguration section,
        Func<IServiceProvider, Func<DynamicAuthorizationRequest, CancellationToken, ValueTask<DynamicAuthorizationResult>>> handler)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(handler);
        services.AddOptions<DynamicAuthorizationOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DynamicAuthorizationOptions>, DynamicAuthorizationOptionsValidator>());
        services.TryAddSingleton(sp => new DynamicAuthorizationServer(
            sp.GetRequiredService<IOptions<DynamicAuthorizationOptions>>().Value,
            handler(sp),
            sp.GetRequiredService<ILogger<DynamicAuthorizationServer>>(),
            sp.GetService<TimeProvider>()));
        services.AddHostedService(sp => sp.GetRequiredService<DynamicAuthorizationServer>());
        return services;
    }

    private sealed class DynamicAuthorizationOptionsValidator : IValidateOptions<DynamicAuthorizationOptions>
    {
        public ValidateOptionsResult Validate(string? name, DynamicAuthorizationOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }

    private sealed class RadiusClientOptionsValidator : IValidateOptions<RadiusClientOptions>
    {
        public ValidateOptionsResult Validate(string? name, RadiusClientOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
