using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aether.Agent;
using Aether.Agent.Control;
using Aether.Contracts.Agent.V1;
using Aether.Controller.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using AgentGatewayClient = Aether.Contracts.Agent.V1.AgentGatewayService.AgentGatewayServiceClient;

namespace Aether.Controller.Tests.Security;

/// <summary>
/// The controller's agent gateway and GraphQL endpoint over real TLS on loopback, with the agent's own channel
/// code (Agent:TlsCaFile, TlsCertificateFile, TlsKeyFile, Token): who is let in, who is refused, and that one
/// hostile stream does not stop the others.
/// </summary>
public sealed class AgentGatewaySecurityTests(ControllerProcess controller) : IClassFixture<ControllerProcess>
{
    [Fact]
    public async Task An_agent_with_its_certificate_and_token_is_accepted()
    {
        using var channel = Channel("bng-01");

        var accepted = await HelloAsync(channel, "bng-01", controller.Token("bng-01"));

        Assert.Equal(ControllerMessage.BodyOneofCase.HelloAccepted, accepted);
    }

    [Fact]
    public async Task An_agent_with_a_wrong_token_is_refused()
    {
        using var channel = Channel("bng-01");

        var refused = await Assert.ThrowsAsync<RpcException>(() => HelloAsync(channel, "bng-01", "not-the-token"));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task An_agent_whose_certificate_names_another_bng_is_refused()
    {
        // bng-02's certificate, bng-01's hello and token.
        using var channel = Channel("bng-02");

        var refused = await Assert.ThrowsAsync<RpcException>(() => HelloAsync(channel, "bng-01", controller.Token("bng-01")));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("client certificate common name bng-02 is not its bng_id", controller.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_without_a_client_certificate_is_refused()
    {
        using var channel = Channel(certificateOf: null);

        var refused = await Assert.ThrowsAsync<RpcException>(() => HelloAsync(channel, "bng-01", controller.Token("bng-01")));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task An_agent_with_a_certificate_from_another_ca_is_refused_in_the_handshake()
    {
        using var channel = Channel("bng-01", pki: controller.ForeignPki, trust: controller.Pki);

        var refused = await Assert.ThrowsAsync<RpcException>(() => HelloAsync(channel, "bng-01", controller.Token("bng-01")));

        Assert.NotEqual(StatusCode.OK, refused.StatusCode);
        await WaitUntilAsync(() => controller.Output.Contains("Refused a client certificate", StringComparison.Ordinal), "the controller's refusal log");
    }

    [Fact]
    public async Task An_agent_that_does_not_trust_the_controllers_ca_does_not_connect()
    {
        using var channel = Channel("bng-01", trust: controller.ForeignPki);

        var refused = await Assert.ThrowsAsync<RpcException>(() => HelloAsync(channel, "bng-01", controller.Token("bng-01")));

        // The handshake fails on the agent's side: no stream, whatever status the client library gives it.
        Assert.NotEqual(StatusCode.OK, refused.StatusCode);
    }

    [Fact]
    public async Task An_oversized_message_ends_that_stream_with_resource_exhausted_and_other_agents_are_still_served()
    {
        using var hostile = Channel("bng-01");
        using var call = new AgentGatewayClient(hostile).Connect(ControllerChannel.Headers(Options("bng-01", controller.Token("bng-01"))), cancellationToken: Token());
        await call.RequestStream.WriteAsync(Hello("bng-01"), Token());
        Assert.True(await call.ResponseStream.MoveNext(Token()));
        Assert.Equal(ControllerMessage.BodyOneofCase.HelloAccepted, call.ResponseStream.Current.BodyCase);

        var oversized = new AgentMessage { Seq = 2, Traceparent = new string('x', ControllerProcess.MaxReceiveMessageBytes + 1), Ack = new Ack { Seq = 1 } };
        try
        {
            await call.RequestStream.WriteAsync(oversized, Token());
        }
        catch (RpcException)
        {
            // The server may end the call while the message is still being written.
        }
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(Token()))
            {
            }
        });

        Assert.Equal(StatusCode.ResourceExhausted, ended.StatusCode);
        using var other = Channel("bng-02");
        Assert.Equal(ControllerMessage.BodyOneofCase.HelloAccepted, await HelloAsync(other, "bng-02", controller.Token("bng-02")));
        using var again = Channel("bng-01");
        Assert.Equal(ControllerMessage.BodyOneofCase.HelloAccepted, await HelloAsync(again, "bng-01", controller.Token("bng-01")));
    }

    [Fact]
    public async Task GraphQL_is_served_over_https_to_a_key_and_refused_without_one()
    {
        using var http = controller.HttpClient();
        var query = new { query = "{ sessions(first: 1) { totalCount } }" };

        using var anonymous = await http.PostAsJsonAsync("/graphql", query, Token());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = JsonContent.Create(query) };
        request.Headers.Authorization = new("Bearer", controller.ApiKey);
        using var keyed = await http.SendAsync(request, Token());

        Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
        using var body = JsonDocument.Parse(await keyed.Content.ReadAsStringAsync(Token()));
        Assert.Equal(0, body.RootElement.GetProperty("data").GetProperty("sessions").GetProperty("totalCount").GetInt32());
        Assert.False(body.RootElement.TryGetProperty("errors", out _));
        var refused = await anonymous.Content.ReadAsStringAsync(Token());
        Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized || refused.Contains("\"errors\"", StringComparison.Ordinal), refused);
    }

    [Fact]
    public async Task Plain_http_is_not_served_on_the_tls_endpoints()
    {
        using var http = new HttpClient { Timeout = ControllerProcess.Timeout };

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{controller.HttpPort}/healthz", Token()));
    }

    [Fact]
    public async Task No_secret_appears_in_the_controllers_output()
    {
        // Exercise what reads or sends secrets: agents in and refused, a CoA with the wrong secret, GraphQL with a key.
        using (var channel = Channel("bng-01"))
        {
            await HelloAsync(channel, "bng-01", controller.Token("bng-01"));
            await Assert.ThrowsAsync<RpcException>(() => HelloAsync(channel, "bng-01", "wrong-" + ControllerProcess.SecretMarker));
        }
        using (var udp = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            var packet = new byte[4096];
            var length = Radius.RadiusPacketWriter.WriteRequest(packet, Radius.RadiusCode.DisconnectRequest, 1,
                [Radius.RadiusAttribute.FromString(Radius.RadiusAttributeType.AcctSessionId, "nope")], "wrong"u8);
            await udp.SendAsync(packet.AsMemory(0, length), new IPEndPoint(IPAddress.Loopback, controller.CoaPort), Token());
        }
        using var http = controller.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = JsonContent.Create(new { query = "{ sessions(first: 1) { totalCount } }" }) };
        request.Headers.Authorization = new("Bearer", controller.ApiKey);
        (await http.SendAsync(request, Token())).EnsureSuccessStatusCode();
        await WaitUntilAsync(() => controller.Output.Contains("wrong Request Authenticator", StringComparison.Ordinal), "the refused CoA in the log");

        var output = controller.Output;
        Assert.Contains("Agent bng-01 connected", output, StringComparison.Ordinal);
        Assert.DoesNotContain(ControllerProcess.SecretMarker, output, StringComparison.Ordinal);
    }

    private static CancellationToken Token() => new CancellationTokenSource(ControllerProcess.Timeout).Token;

    private AgentOptions Options(string bngId, string? token) => new() { BngId = bngId, Controller = controller.GrpcUrl, Token = token ?? "" };

    /// <summary>The agent's own channel: trusting <paramref name="trust"/>'s CA, presenting <paramref name="certificateOf"/>'s certificate from <paramref name="pki"/>.</summary>
    private GrpcChannel Channel(string? certificateOf, string? pki = null, string? trust = null)
    {
        pki ??= controller.Pki;
        var options = new AgentOptions
        {
            Controller = controller.GrpcUrl,
            TlsCaFile = Path.Combine(trust ?? controller.Pki, "ca.crt"),
            TlsCertificateFile = certificateOf is null ? null : Path.Combine(pki, $"agent-{certificateOf}.crt"),
            TlsKeyFile = certificateOf is null ? null : Path.Combine(pki, $"agent-{certificateOf}.key"),
        };
        return ControllerChannel.Create(options);
    }

    private static AgentMessage Hello(string bngId) => new()
    {
        Seq = 1,
        Hello = new Hello { BngId = bngId, InstanceId = Guid.NewGuid().ToString("N"), Version = "test" },
    };

    private async Task<ControllerMessage.BodyOneofCase> HelloAsync(GrpcChannel channel, string bngId, string token)
    {
        using var call = new AgentGatewayClient(channel).Connect(ControllerChannel.Headers(Options(bngId, token)), cancellationToken: Token());
        await call.RequestStream.WriteAsync(Hello(bngId), Token());
        Assert.True(await call.ResponseStream.MoveNext(Token()));
        return call.ResponseStream.Current.BodyCase;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + ControllerProcess.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
