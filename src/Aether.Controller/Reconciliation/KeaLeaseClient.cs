using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Aether.Controller.Reconciliation;

/// <summary>A DHCPv4 lease as Kea's control agent reports it (lease_cmds hook).</summary>
internal sealed record KeaLease(string Ip, string Mac, DateTimeOffset LastTransaction, DateTimeOffset Expires, int State, byte[] RelayAgentInfo);

/// <summary>
/// Reads every lease from Kea's control agent, a page at a time (lease4-get-page), with basic auth.
/// </summary>
internal sealed class KeaLeaseClient
{
    private const int PageSize = 1000;
    private readonly HttpClient _http;
    private readonly ReconcilerOptions _options;

    public KeaLeaseClient(HttpClient http, IOptions<ReconcilerOptions> options)
    {
        _http = http;
        _options = options.Value;
        _http.Timeout = TimeSpan.FromSeconds(10);
        if (!string.IsNullOrEmpty(_options.KeaUser))
        {
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.KeaUser}:{_options.ReadKeaPassword()}"));
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }
    }

    /// <summary>Asks the control agent its version: succeeds when it answers (readiness).</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new { command = "version-get" }));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync(_options.KeaControlAgentUrl, content, ct);
        response.EnsureSuccessStatusCode();
    }

    public async Task<List<KeaLease>> GetAllAsync(CancellationToken ct)
    {
        var leases = new List<KeaLease>();
        var from = "start";
        while (true)
        {
            var command = new { command = "lease4-get-page", service = new[] { "dhcp4" }, arguments = new { from, limit = PageSize } };
            // Kea's control agent accepts exactly "application/json", without a charset parameter.
            using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(command));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await _http.PostAsync(_options.KeaControlAgentUrl, content, ct);
            response.EnsureSuccessStatusCode();
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
            var answer = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement[0] : doc.RootElement;
            var result = answer.GetProperty("result").GetInt32();
            if (result == 3)
            {
                return leases; // no (more) leases
            }
            if (result != 0)
            {
                throw new InvalidOperationException($"Kea answered lease4-get-page with result {result}: {answer.GetProperty("text").GetString()}");
            }
            var page = answer.GetProperty("arguments").GetProperty("leases");
            var count = 0;
            string? last = null;
            foreach (var lease in page.EnumerateArray())
            {
                count++;
                last = lease.GetProperty("ip-address").GetString();
                leases.Add(Parse(lease));
            }
            if (count < PageSize || last is null)
            {
                return leases;
            }
            from = last;
        }
    }

    internal static KeaLease Parse(JsonElement lease)
    {
        var cltt = lease.GetProperty("cltt").GetInt64();
        var valid = lease.GetProperty("valid-lft").GetInt64();
        var info = Array.Empty<byte>();
        if (lease.TryGetProperty("user-context", out var context) && context.TryGetProperty("ISC", out var isc)
            && isc.TryGetProperty("relay-agent-info", out var rai))
        {
            // Kea 2.2 stores the option as a hex string; later versions as { "sub-options": "0x..." }.
            var hex = rai.ValueKind == JsonValueKind.String ? rai.GetString()
                : rai.TryGetProperty("sub-options", out var sub) ? sub.GetString() : null;
            if (hex is not null)
            {
                info = Convert.FromHexString(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex);
            }
        }
        return new KeaLease(
            lease.GetProperty("ip-address").GetString()!,
            lease.GetProperty("hw-address").GetString()!.ToLowerInvariant(),
            DateTimeOffset.FromUnixTimeSeconds(cltt),
            DateTimeOffset.FromUnixTimeSeconds(cltt + valid),
            lease.TryGetProperty("state", out var state) ? state.GetInt32() : 0,
            info);
    }
}
