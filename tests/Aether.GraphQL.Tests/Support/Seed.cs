using System.Globalization;
using Npgsql;

namespace Aether.GraphQL.Tests.Support;

/// <summary>Rows written straight into the read models, as the ingestor would have projected them.</summary>
public static class Seed
{
    public static async Task SessionsAsync(string connectionString, int count, string bngId = "bng-01", int offset = 0, string relay = "relay-01")
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestTimeouts.Token());
        await using var batch = new NpgsqlBatch(connection);
        var start = new DateTime(2025, 11, 1, 12, 0, 0, DateTimeKind.Utc);
        for (var i = offset; i < offset + count; i++)
        {
            var command = new NpgsqlBatchCommand(
                """
                INSERT INTO sessions_active (session_id, bng_id, instance_id, mac, ip, circuit_id, remote_id, username, download_kbps, upload_kbps,
                    bytes_up, bytes_down, packets_up, packets_down, started, updated_at, last_seq, last_time, policy_time)
                VALUES (@id, @bng, 'i-1', @mac, @ip::inet, @circuit, @relay, @user, 20000, 10000, @up, @down, 10, 20, @started, @started, 1, @started, @started)
                """);
            var circuit = $"1/0/{i + 1}";
            command.Parameters.AddWithValue("id", SessionId(bngId, i));
            command.Parameters.AddWithValue("bng", bngId);
            command.Parameters.AddWithValue("mac", Mac(i));
            command.Parameters.AddWithValue("ip", Ip(i));
            command.Parameters.AddWithValue("circuit", circuit);
            command.Parameters.AddWithValue("relay", relay);
            command.Parameters.AddWithValue("user", $"{bngId}/{relay}/{circuit}");
            command.Parameters.AddWithValue("up", (long)(i * 1000));
            command.Parameters.AddWithValue("down", (long)((count - i) * 5000));
            command.Parameters.AddWithValue("started", start.AddSeconds(i));
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(TestTimeouts.Token());
    }

    public static string SessionId(string bngId, int i) => $"{bngId}-s{i:D4}";

    public static string Mac(int i) => string.Create(CultureInfo.InvariantCulture, $"02:00:00:00:{i / 256:x2}:{i % 256:x2}");

    public static string Ip(int i) => string.Create(CultureInfo.InvariantCulture, $"100.64.{i / 250}.{i % 250 + 2}");
}
