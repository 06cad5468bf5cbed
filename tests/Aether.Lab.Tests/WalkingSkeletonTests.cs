using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Npgsql;

namespace Aether.Lab.Tests;

/// <summary>
/// One real subscriber through every real part: dhclient → access relay (Option 82) → agent (SharpPcap)
/// → controller → FreeRADIUS (PostgreSQL) → Kea (PostgreSQL leases) → nftables + tc → JetStream →
/// ingestor → PostgreSQL → GraphQL, and traffic to the upstream host through the BNG.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed class WalkingSkeletonTests
{
    private const string Bng = "ae-bng1";
    private const string AcceptedHost = "ae-h01-1";
    private const string AcceptedMac = "02:00:00:01:00:01";
    private const string AcceptedUser = "bng-01/relay-01/1/0/1";
    private const string RejectedHost = "ae-h02-5";
    private const string RejectedMac = "02:00:00:02:00:05";
    private const string RejectedUser = "bng-01/relay-02/1/0/5";
    private const string Upstream = "203.0.113.10";
    private const long RadiusDownloadKbps = 20_000;
    private const long RadiusUploadKbps = 10_000;
    private static readonly TimeSpan HopTimeout = TimeSpan.FromSeconds(30);

    private readonly LabFixture _lab;

    public WalkingSkeletonTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task Subscriber_comes_online_through_every_hop_and_its_traffic_is_counted_and_shaped()
    {
        // 1-2: dhclient in the subscriber host; the access relay inserts Option 82.
        var (dhclient, ip) = await _lab.BringOnlineAsync(AcceptedHost);
        Assert.True(dhclient.ExitCode == 0, "dhclient got no lease: " + dhclient.Describe() + "\nagent log:\n" + _lab.ReadLog("agent-bng-01") + "\ncontroller log:\n" + _lab.ReadLog("controller"));
        Assert.StartsWith("100.64.0.", ip, StringComparison.Ordinal);

        // 4: FreeRADIUS (rlm_sql) accepted the controller's Access-Request for the Option 82 user name.
        var postAuth = await QueryScalarAsync(_lab.RadiusConnectionString,
            "SELECT reply FROM radpostauth WHERE username = @u ORDER BY id DESC LIMIT 1", ("u", AcceptedUser));
        Assert.Equal("Access-Accept", postAuth);

        // 5: the lease is in Kea's PostgreSQL lease database, for this MAC and address.
        var leaseIp = await QueryScalarAsync(_lab.KeaConnectionString,
            "SELECT ((address >> 24) & 255) || '.' || ((address >> 16) & 255) || '.' || ((address >> 8) & 255) || '.' || (address & 255) FROM lease4 WHERE hwaddr = @mac",
            ("mac", Convert.FromHexString(AcceptedMac.Replace(":", "", StringComparison.Ordinal))));
        Assert.Equal(ip, leaseIp);

        // 6: tc HTB classes at the RADIUS rates, download and upload.
        Assert.Equal(RadiusDownloadKbps, await SessionClassRateAsync(Bng, "eth1", ip, upload: false));
        Assert.Equal(RadiusUploadKbps, await SessionClassRateAsync(Bng, "eth1", ip, upload: true));

        // 9: the subscriber reaches the upstream host through the BNG, and nftables counts it both ways.
        var ping = await Shell.InNamespace(AcceptedHost, TimeSpan.FromSeconds(20), "ping", "-c", "3", "-W", "2", Upstream);
        Assert.True(ping.ExitCode == 0, "ping failed: " + ping.Describe());
        var curl = await Shell.InNamespace(AcceptedHost, TimeSpan.FromSeconds(20), "curl", "-s", "-m", "10", $"http://{Upstream}/");
        Assert.Contains("you reached the internet", curl.Output, StringComparison.Ordinal);
        var (bytesUp, bytesDown, _, _) = await LabProbes.NftCountersAsync(Bng, ip);
        Assert.True(bytesUp > 0 && bytesDown > 0, $"nft counters for {ip}: up {bytesUp}, down {bytesDown}");

        // 6: SESSION_START for this subscriber is in the JetStream stream.
        var startedJson = await Poll.UntilAsync(() => FindEventAsync("aether.events.bng-01.session_start", ip), HopTimeout, "SESSION_START in JetStream");
        using var startedDoc = JsonDocument.Parse(startedJson);
        var started = startedDoc.RootElement;
        var sessionId = started.GetProperty("session_id").GetString();
        Assert.False(string.IsNullOrEmpty(sessionId));
        Assert.Equal(AcceptedMac, started.GetProperty("session").GetProperty("mac").GetString());

        // 7: the ingestor wrote the event log and the sessions_active read model.
        var eventRow = await Poll.UntilAsync(() => QueryScalarAsync(_lab.AetherConnectionString,
            "SELECT type FROM session_events WHERE session_id = @s AND type = 'SESSION_START'", ("s", sessionId!)), HopTimeout, "session_events row");
        Assert.Equal("SESSION_START", eventRow);
        var activeIp = await Poll.UntilAsync(() => QueryScalarAsync(_lab.AetherConnectionString,
            "SELECT host(ip) FROM sessions_active WHERE session_id = @s", ("s", sessionId!)), HopTimeout, "sessions_active row");
        Assert.Equal(ip, activeIp);

        // 8: GraphQL answers with the session, its IP, MAC, circuit-id, rate and BNG.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var query = "{ sessions(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id bngId ip mac circuitId remoteId downloadKbps uploadKbps } } }";
        var response = await http.PostAsJsonAsync(_lab.GraphQLUrl, new { query });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var gql = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var connection = gql.RootElement.GetProperty("data").GetProperty("sessions");
        Assert.True(connection.GetProperty("totalCount").GetInt32() >= 1);
        var node = connection.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == sessionId);
        Assert.Equal(ip, node.GetProperty("ip").GetString());
        Assert.Equal(AcceptedMac, node.GetProperty("mac").GetString());
        Assert.Equal("1/0/1", node.GetProperty("circuitId").GetString());
        Assert.Equal("relay-01", node.GetProperty("remoteId").GetString());
        Assert.Equal("bng-01", node.GetProperty("bngId").GetString());
        Assert.Equal(RadiusDownloadKbps, node.GetProperty("downloadKbps").GetInt64());
        Assert.Equal(RadiusUploadKbps, node.GetProperty("uploadKbps").GetInt64());
    }

    [Fact]
    public async Task Subscriber_that_FreeRADIUS_rejects_gets_no_lease()
    {
        var (dhclient, ip) = await _lab.BringOnlineAsync(RejectedHost, timeoutSeconds: 15);
        Assert.NotEqual(0, dhclient.ExitCode);
        Assert.Equal("", ip);

        var postAuth = await QueryScalarAsync(_lab.RadiusConnectionString,
            "SELECT reply FROM radpostauth WHERE username = @u ORDER BY id DESC LIMIT 1", ("u", RejectedUser));
        Assert.Equal("Access-Reject", postAuth);

        var leases = await QueryScalarAsync(_lab.KeaConnectionString, "SELECT count(*)::text FROM lease4 WHERE hwaddr = @mac",
            ("mac", Convert.FromHexString(RejectedMac.Replace(":", "", StringComparison.Ordinal))));
        Assert.Equal("0", leases);
        Assert.Contains("Dropped Discover from mac=" + RejectedMac, _lab.ReadLog("agent-bng-01"), StringComparison.Ordinal);
    }

    /// <summary>
    /// The rate in kbit/s of the HTB class that a u32 filter on the device sends this address to
    /// (destination on the subscriber interface, source on its IFB), or null when there is none.
    /// </summary>
    internal static async Task<long?> SessionClassRateAsync(string bng, string iface, string ip, bool upload)
    {
        // The agent shapes on IFB shard devices chosen by the address's third octet: <iface>-d<shard> for
        // download (matched on the destination, offset 16) and <iface>-u<shard> for upload (source, offset 12).
        var shard = IPAddress.Parse(ip).GetAddressBytes()[2] % 16;
        var dev = $"{iface}-{(upload ? 'u' : 'd')}{shard:x2}";
        var offset = upload ? 12 : 16;
        var match = $"match {Convert.ToHexString(IPAddress.Parse(ip).GetAddressBytes()).ToLowerInvariant()}/ffffffff at {offset}";
        var filters = (await Shell.InNamespace(bng, TimeSpan.FromSeconds(10), "tc", "filter", "show", "dev", dev)).Output.Split('\n');
        string? flowid = null;
        for (var i = 0; i < filters.Length && flowid is null; i++)
        {
            if (filters[i].Trim() == match)
            {
                for (var k = i - 1; k >= 0; k--)
                {
                    var m = System.Text.RegularExpressions.Regex.Match(filters[k], @"flowid (\S+)");
                    if (m.Success)
                    {
                        flowid = m.Groups[1].Value;
                        break;
                    }
                }
            }
        }
        if (flowid is null)
        {
            return null;
        }
        var classes = await Shell.InNamespace(bng, TimeSpan.FromSeconds(10), "tc", "class", "show", "dev", dev, "classid", flowid);
        var rate = System.Text.RegularExpressions.Regex.Match(classes.Output, @" rate (\d+)([KMG]?)bit");
        if (!rate.Success)
        {
            return null;
        }
        var value = long.Parse(rate.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return rate.Groups[2].Value switch { "K" => value, "M" => value * 1000, "G" => value * 1_000_000, _ => value / 1000 };
    }

    /// <summary>The newest event on the subject for this address (an earlier session may have had it).</summary>
    private async Task<string?> FindEventAsync(string subject, string ip)
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = _lab.NatsUrl });
        var js = new NatsJSContext(nats);
        var consumer = await js.CreateOrderedConsumerAsync("AETHER_EVENTS", new NatsJSOrderedConsumerOpts { FilterSubjects = [subject] });
        string? newest = null;
        await foreach (var msg in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1000, Expires = TimeSpan.FromSeconds(2) }))
        {
            using var doc = JsonDocument.Parse(msg.Data);
            if (doc.RootElement.TryGetProperty("session", out var session) && session.GetProperty("ip").GetString() == ip)
            {
                newest = doc.RootElement.GetRawText();
            }
        }
        return newest;
    }

    internal static async Task<string?> QueryScalarAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? null : Convert.ToString(result, System.Globalization.CultureInfo.InvariantCulture);
    }
}
