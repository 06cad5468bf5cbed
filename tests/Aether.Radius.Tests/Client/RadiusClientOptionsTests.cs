using Aether.Radius.DynamicAuthorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Aether.Radius.Tests.Client;

public sealed class RadiusClientOptionsTests
{
    [Fact]
    public void Validate_reports_every_error_at_once()
    {
        var options = new RadiusClientOptions
        {
            Servers = [new RadiusServerEndpoint { Host = "", AuthPort = 0, AcctPort = 70000, Secret = "" }],
            Timeout = TimeSpan.Zero,
            Retries = -1,
            SocketCount = 0,
        };

        var errors = options.Validate();

        Assert.Equal(7, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Servers[0].Host", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Servers[0].Secret", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("SocketCount", StringComparison.Ordinal));
    }

    [Fact]
    public void No_server_is_an_error()
    {
        Assert.Contains(new RadiusClientOptions().Validate(), e => e.StartsWith("Servers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_client_binds_from_configuration()
    {
        using var host = Host(new Dictionary<string, string?>
        {
            ["Radius:Servers:0:Host"] = "127.0.0.1",
            ["Radius:Servers:0:Secret"] = "s3cret",
            ["Radius:Servers:0:AuthPort"] = "11812",
            ["Radius:Timeout"] = "00:00:02",
            ["Radius:SocketCount"] = "1",
        });
        await host.StartAsync(TestTimeoutsToken());

        var options = host.Services.GetRequiredService<IOptions<RadiusClientOptions>>().Value;
        Assert.Equal(11812, options.Servers[0].AuthPort);
        Assert.Equal(1813, options.Servers[0].AcctPort);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Timeout);
        Assert.NotNull(host.Services.GetRequiredService<RadiusClient>());
        await host.StopAsync(TestTimeoutsToken());
    }

    [Fact]
    public async Task Invalid_configuration_stops_the_start_with_every_error()
    {
        using var host = Host(new Dictionary<string, string?>
        {
            ["Radius:Servers:0:Host"] = "127.0.0.1",
            ["Radius:Retries"] = "99",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestTimeoutsToken()));

        Assert.Contains(error.Failures, f => f.Contains("Secret", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Retries", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_dynamic_authorization_server_runs_as_a_hosted_service()
    {
        using var host = Host(new Dictionary<string, string?>
        {
            ["Radius:Servers:0:Host"] = "127.0.0.1",
            ["Radius:Servers:0:Secret"] = "s3cret",
            ["DynamicAuthorization:Address"] = "127.0.0.1",
            ["DynamicAuthorization:Port"] = "0",
            ["DynamicAuthorization:Clients:0:Address"] = "127.0.0.1",
            ["DynamicAuthorization:Clients:0:Secret"] = "coa",
        });
        await host.StartAsync(TestTimeoutsToken());

        Assert.NotNull(host.Services.GetRequiredService<DynamicAuthorizationServer>().LocalEndPoint);
        await host.StopAsync(TestTimeoutsToken());
    }

    [Fact]
    public void Dynamic_authorization_options_report_every_error_at_once()
    {
        var options = new DynamicAuthorizationOptions
        {
            Address = "nowhere",
            Port = -1,
            Clients = [new DynamicAuthorizationClient { Address = "10.0.0.1", Secret = "" }, new DynamicAuthorizationClient { Address = "10.0.0.1", Secret = "x" }],
        };

        Assert.Equal(4, options.Validate().Count);
    }

    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddAetherRadiusClient(builder.Configuration.GetSection("Radius"));
        if (settings.Keys.Any(k => k.StartsWith("DynamicAuthorization", StringComparison.Ordinal)))
        {
            builder.Services.AddAetherDynamicAuthorizationServer(
                builder.Configuration.GetSection("DynamicAuthorization"),
                _ => (_, _) => ValueTask.FromResult(DynamicAuthorizationResult.Ack()));
        }

        return builder.Build();
    }

    private static CancellationToken TestTimeoutsToken() => Support.TestTimeouts.Token();
}
