using Aether.Controller.Tests.Support;
using Aether.TestUtilities;
using Grpc.Core;
using Grpc.Health.V1;
using HealthClient = Grpc.Health.V1.Health.HealthClient;

namespace Aether.Controller.Tests;

[Collection(ControllerCollection.Name)]
public sealed class GrpcHealthTests(PostgresServer postgres)
{
    [Fact]
    public async Task Check_reports_overall_and_each_dependency_and_not_serving_once_nats_is_down()
    {
        await using var nats = new NatsServer();
        await nats.InitializeAsync();
        await using var controller = await ControllerHost.StartAsync(postgres, nats.Url, radius: null);
        var health = new HealthClient(controller.Channel);

        var before = new Dictionary<string, HealthCheckResponse.Types.ServingStatus>();
        foreach (var service in new[] { "", "postgresql", "nats", "radius", "aether.agent.v1.AgentGatewayService", "aether.ops.v1.OperationsService" })
        {
            before[service] = (await health.CheckAsync(new HealthCheckRequest { Service = service }).ResponseAsync.WaitAsync(ControllerHost.Timeout)).Status;
        }
        var unknown = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "no-such-dependency" }).ResponseAsync);
        await nats.KillAsync();
        var overall = await EventuallyAsync(health, "", HealthCheckResponse.Types.ServingStatus.NotServing);
        var natsAfter = (await health.CheckAsync(new HealthCheckRequest { Service = "nats" })).Status;
        var postgresAfter = (await health.CheckAsync(new HealthCheckRequest { Service = "postgresql" })).Status;

        Assert.All(before, b => Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, b.Value));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, overall);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, natsAfter);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, postgresAfter);
    }

    [Fact]
    public async Task Watch_streams_serving_then_not_serving_when_nats_goes_down()
    {
        await using var nats = new NatsServer();
        await nats.InitializeAsync();
        await using var controller = await ControllerHost.StartAsync(postgres, nats.Url, radius: null);
        var health = new HealthClient(controller.Channel);
        using var cts = new CancellationTokenSource(ControllerHost.Timeout);
        using var watch = health.Watch(new HealthCheckRequest { Service = "nats" }, cancellationToken: cts.Token);
        var seen = new List<HealthCheckResponse.Types.ServingStatus>();

        // The first answers may be SERVICE_UNKNOWN/SERVING until the publisher's first run.
        while (await watch.ResponseStream.MoveNext(cts.Token) && watch.ResponseStream.Current.Status != HealthCheckResponse.Types.ServingStatus.Serving)
        {
            seen.Add(watch.ResponseStream.Current.Status);
        }
        seen.Add(watch.ResponseStream.Current.Status);
        await nats.KillAsync();
        while (await watch.ResponseStream.MoveNext(cts.Token))
        {
            seen.Add(watch.ResponseStream.Current.Status);
            if (watch.ResponseStream.Current.Status == HealthCheckResponse.Types.ServingStatus.NotServing)
            {
                break;
            }
        }

        Assert.Contains(HealthCheckResponse.Types.ServingStatus.Serving, seen);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, seen[^1]);
        Assert.True(seen.IndexOf(HealthCheckResponse.Types.ServingStatus.Serving) < seen.Count - 1, "SERVING came before NOT_SERVING");
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> EventuallyAsync(HealthClient health, string service, HealthCheckResponse.Types.ServingStatus wanted)
    {
        var deadline = DateTime.UtcNow + ControllerHost.Timeout;
        HealthCheckResponse.Types.ServingStatus status;
        do
        {
            status = (await health.CheckAsync(new HealthCheckRequest { Service = service }).ResponseAsync.WaitAsync(ControllerHost.Timeout)).Status;
            if (status == wanted)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        return status;
    }
}
