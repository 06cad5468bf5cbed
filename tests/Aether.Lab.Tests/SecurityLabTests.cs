using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Aether.Lab.Tests;

/// <summary>
/// The lab as it is secured: agents reach the controller over TLS with the lab CA's client certificates and their
/// tokens; GraphQL is served over HTTPS with the controller's certificate; a client without a trusted certificate
/// gets nowhere; the operator key is needed for mutations.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed class SecurityLabTests
{
    private readonly LabFixture _lab;

    public SecurityLabTests(LabFixture lab) => _lab = lab;

    private string Pki(string file) => Path.Combine(_lab.LabDir, "pki", file);

    [Fact]
    public async Task Both_agents_are_connected_over_TLS_with_their_client_certificates()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var agents = JsonDocument.Parse(await http.GetStringAsync("http://127.0.0.1:8080/healthz/agents"));
        Assert.Equal(["bng-01", "bng-02"], agents.RootElement.EnumerateArray().Select(a => a.GetProperty("bngId").GetString()).Order().ToList());
        foreach (var bng in new[] { "bng-01", "bng-02" })
        {
            Assert.Contains("Connected to controller https://198.18.0.1:", _lab.ReadLog("agent-" + bng), StringComparison.Ordinal);
            var token = File.ReadAllText(Pki($"agent-{bng}.token")).Trim();
            Assert.DoesNotContain(token, _lab.ReadLog("agent-" + bng), StringComparison.Ordinal);
            Assert.DoesNotContain(token, _lab.ReadLog("controller"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GraphQL_over_HTTPS_answers_with_the_lab_CA_and_an_untrusting_client_is_refused()
    {
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Pki("ca.crt"));
        using var trusting = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (certificate is null || chain is null)
                    {
                        return false;
                    }
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                        && chain.Build(new X509Certificate2(certificate));
                },
            },
        }) { Timeout = TimeSpan.FromSeconds(10) };

        var response = await trusting.PostAsJsonAsync("https://127.0.0.1:8443/graphql", new { query = "{ agents { bngId } }" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Contains("bng-01", body, StringComparison.Ordinal);

        // A mutation without the operator key is refused over HTTPS too.
        var mutation = await trusting.PostAsJsonAsync("https://127.0.0.1:8443/graphql",
            new { query = "mutation { createPlan(input: { name: \"tls-test\", downloadKbps: 1000, uploadKbps: 1000 }) { id } }" });
        var refusal = await mutation.Content.ReadAsStringAsync();
        Assert.True(!mutation.IsSuccessStatusCode || refusal.Contains("\"errors\"", StringComparison.Ordinal), refusal);

        // A client that does not trust the lab CA does not get through the handshake.
        using var untrusting = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync("https://127.0.0.1:8443/healthz"));
    }
}
