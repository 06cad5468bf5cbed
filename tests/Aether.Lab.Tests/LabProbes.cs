using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Aether.Lab.Tests;

/// <summary>What a lab test reads from the real parts: PostgreSQL rows, nftables and interface counters, Kea's leases.</summary>
internal static class LabProbes
{
    public const string Upstream = "203.0.113.10";

    /// <summary>One row of a query as name → value (null for SQL NULL), or null when there is none.</summary>
    public static async Task<Dictionary<string, object?>?> QueryRowAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }
        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }
        return row;
    }

    public static async Task<int> ExecuteAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The active session of the address that a DHCP exchange begun at <paramref name="since"/> started. Should the
    /// exchange have renewed a session the host still had (its release did not reach the BNG), that one, once it is
    /// the address's only session for a few seconds.
    /// </summary>
    public static async Task<string> SessionOfAsync(string connectionString, string ip, DateTime since, TimeSpan timeout)
    {
        var began = DateTime.UtcNow;
        var row = await Poll.UntilAsync(async () =>
        {
            var fresh = await QueryRowAsync(connectionString,
                "SELECT session_id FROM sessions_active WHERE ip = @ip::inet AND started >= @since ORDER BY started DESC LIMIT 1", ("ip", ip), ("since", since));
            if (fresh is not null || DateTime.UtcNow - began < TimeSpan.FromSeconds(8))
            {
                return fresh;
            }
            var only = await QueryRowAsync(connectionString,
                "SELECT min(session_id) AS session_id FROM sessions_active WHERE ip = @ip::inet HAVING count(*) = 1", ("ip", ip));
            return only;
        }, timeout, $"the session of {ip}");
        return row.Text("session_id");
    }

    public static long Long(this Dictionary<string, object?> row, string name) => Convert.ToInt64(row[name], CultureInfo.InvariantCulture);

    public static string Text(this Dictionary<string, object?> row, string name) => Convert.ToString(row[name], CultureInfo.InvariantCulture) ?? "";

    /// <summary>The element's byte and packet counters in the agent's nftables sets (sub_up, sub_down); -1 when absent.</summary>
    public static async Task<(long BytesUp, long BytesDown, long PacketsUp, long PacketsDown)> NftCountersAsync(string bngNamespace, string ip)
    {
        async Task<(long Bytes, long Packets)> Read(string set)
        {
            var r = await Shell.InNamespace(bngNamespace, TimeSpan.FromSeconds(10), "nft", "-j", "list", "set", "inet", "aether", set);
            using var doc = JsonDocument.Parse(r.Output);
            foreach (var item in doc.RootElement.GetProperty("nftables").EnumerateArray())
            {
                if (item.TryGetProperty("set", out var s) && s.TryGetProperty("elem", out var elems))
                {
                    foreach (var e in elems.EnumerateArray())
                    {
                        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("elem", out var elem) && elem.GetProperty("val").GetString() == ip)
                        {
                            var counter = elem.GetProperty("counter");
                            return (counter.GetProperty("bytes").GetInt64(), counter.GetProperty("packets").GetInt64());
                        }
                    }
                }
            }
            return (-1, -1);
        }
        var up = await Read("sub_up");
        var down = await Read("sub_down");
        return (up.Bytes, down.Bytes, up.Packets, down.Packets);
    }

    /// <summary>The host's eth0 statistics from the kernel: bytes and packets sent and received.</summary>
    public static async Task<(long TxBytes, long TxPackets, long RxBytes, long RxPackets)> InterfaceStatsAsync(string host)
    {
        var r = await Shell.InNamespace(host, TimeSpan.FromSeconds(10), "sh", "-c",
            "cd /sys/class/net/eth0/statistics && cat tx_bytes tx_packets rx_bytes rx_packets");
        var v = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s.Trim(), CultureInfo.InvariantCulture)).ToArray();
        return (v[0], v[1], v[2], v[3]);
    }

    /// <summary>The host's eth0 statistics once they have stood still for a second (its queues drained).</summary>
    public static async Task<(long TxBytes, long TxPackets, long RxBytes, long RxPackets)> QuietInterfaceStatsAsync(string host)
    {
        var last = await InterfaceStatsAsync(host);
        for (var i = 0; i < 30; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = await InterfaceStatsAsync(host);
            if (now.TxBytes - last.TxBytes < 1_000 && now.RxBytes - last.RxBytes < 1_000)
            {
                return now;
            }
            last = now;
        }
        return last;
    }

    /// <summary>Kills every process in the host (dhclient above all) without a DHCPRELEASE: the lease stays as it was.</summary>
    public static async Task KillHostProcessesAsync(string host)
    {
        var pids = await Shell.RunAsync("ip", ["netns", "pids", host], TimeSpan.FromSeconds(10));
        foreach (var pid in pids.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Shell.RunAsync("kill", ["-KILL", pid.Trim()], TimeSpan.FromSeconds(5));
        }
    }

    public static Task<ShellResult> SetMacAsync(string host, string mac) =>
        Shell.InNamespace(host, TimeSpan.FromSeconds(10), "ip", "link", "set", "dev", "eth0", "address", mac);

    /// <summary>One command to Kea through its control agent (the lab's credentials); the first answer's JSON.</summary>
    public static async Task<JsonElement> KeaCommandAsync(string command, object arguments)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:8000/")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { command, service = new[] { "dhcp4" }, arguments }), Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("aether:aether-kea")));
        using var response = await http.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement[0].Clone();
    }

    /// <summary>The receiver's rate of an iperf3 -J run, in bit/s.</summary>
    public static double IperfReceivedBitsPerSecond(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
    }
}
