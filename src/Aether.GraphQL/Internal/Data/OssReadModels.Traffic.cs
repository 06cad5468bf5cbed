using Npgsql;
using NpgsqlTypes;

namespace Aether.GraphQL.Internal.Data;

internal sealed partial class OssReadModels
{
    /// <summary>The window of the rolling averages.</summary>
    public static readonly TimeSpan RollingWindow = TimeSpan.FromMinutes(5);

    public const int MaxTrafficPoints = 2000;

    /// <summary>Rates over the last five minutes per session (session_traffic_5m); sessions without samples are left out.</summary>
    public async Task<Dictionary<string, TrafficRateRow>> TrafficBySessionAsync(IReadOnlyList<string> sessionIds, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT session_id, up_bps, down_bps, up_pps, down_pps, last_sample FROM session_traffic_5m WHERE session_id = ANY(@ids)");
        command.Parameters.Add(TextArray("ids", sessionIds));
        return await ReadMapAsync(command, r => (r.GetString(0), ReadRate(r, 1)), ct);
    }

    /// <summary>The sum of the five-minute rates of every session, or of one BNG's.</summary>
    public async Task<TrafficRateRow> TrafficTotalAsync(string? bngId, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            $"""
            SELECT coalesce(sum(up_bps), 0), coalesce(sum(down_bps), 0), coalesce(sum(up_pps), 0), coalesce(sum(down_pps), 0), max(last_sample)
            FROM session_traffic_5m {(bngId is null ? "" : "WHERE bng_id = @bng")}
            """);
        if (bngId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("bng", bngId));
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return ReadRate(reader, 0);
    }

    /// <summary>The start of the bucket holding <paramref name="time"/>; buckets are aligned on the Unix epoch, as in SQL.</summary>
    internal static DateTime AlignDown(DateTime time, TimeSpan step)
    {
        var sinceEpoch = time.Ticks - DateTime.UnixEpoch.Ticks;
        return new DateTime(time.Ticks - (sinceEpoch % step.Ticks), DateTimeKind.Utc);
    }

    private static TrafficRateRow ReadRate(NpgsqlDataReader r, int o) => new(
        (double)r.GetDecimal(o), (double)r.GetDecimal(o + 1), (double)r.GetDecimal(o + 2), (double)r.GetDecimal(o + 3),
        r.IsDBNull(o + 4) ? null : Utc(r, o + 4));

    /// <summary>
    /// Traffic in buckets of <paramref name="step"/> from <paramref name="from"/> (aligned down to a multiple of the step) to
    /// <paramref name="to"/>, empty buckets included, each with the mean rate over the window of
    /// <see cref="RollingWindow"/> that ends with it (or over the bucket itself when the step is longer).
    /// </summary>
    public async Task<List<TrafficPointRow>> TrafficSeriesAsync(string? sessionId, string? bngId, DateTime from, DateTime to, TimeSpan step, CancellationToken ct)
    {
        var first = AlignDown(from, step);
        var last = AlignDown(to.AddTicks(-1), step);
        var lookback = step >= RollingWindow ? TimeSpan.Zero : RollingWindow - step;
        var scanFrom = AlignDown(first - lookback, step);
        var filter = (sessionId is null ? "" : " AND session_id = @session") + (bngId is null ? "" : " AND bng_id = @bng");
        await using var command = _dataSource.CreateCommand(
            $"""
            WITH g AS (
                SELECT generate_series(@scan_from, @last, @step) AS bucket),
            s AS (
                SELECT to_timestamp(floor(extract(epoch FROM time) / @step_seconds) * @step_seconds) AS bucket,
                       sum(bytes_up)::bigint AS up, sum(bytes_down)::bigint AS down
                FROM traffic_samples
                WHERE time >= @scan_from AND time < @last + @step{filter}
                GROUP BY 1),
            j AS (
                SELECT g.bucket, coalesce(s.up, 0) AS up, coalesce(s.down, 0) AS down FROM g LEFT JOIN s ON s.bucket = g.bucket)
            SELECT bucket, up, down,
                   sum(up) OVER w AS up_window, sum(down) OVER w AS down_window
            FROM j
            WINDOW w AS (ORDER BY bucket RANGE BETWEEN @lookback PRECEDING AND CURRENT ROW)
            ORDER BY bucket
            """);
        command.Parameters.Add(Time("scan_from", scanFrom));
        command.Parameters.Add(Time("last", last));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("step", NpgsqlDbType.Interval) { TypedValue = step });
        command.Parameters.Add(new NpgsqlParameter<double>("step_seconds", step.TotalSeconds));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lookback", NpgsqlDbType.Interval) { TypedValue = lookback });
        if (sessionId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("session", sessionId));
        }

        if (bngId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("bng", bngId));
        }

        var seconds = step.TotalSeconds;
        var windowSeconds = Math.Max(seconds, RollingWindow.TotalSeconds);
        var points = new List<TrafficPointRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var bucket = Utc(reader, 0);
            if (bucket < first)
            {
                continue;
            }

            long up = reader.GetInt64(1), down = reader.GetInt64(2);
            var upWindow = (double)reader.GetDecimal(3);
            var downWindow = (double)reader.GetDecimal(4);
            points.Add(new TrafficPointRow(bucket, up, down, up * 8 / seconds, down * 8 / seconds,
                upWindow * 8 / windowSeconds, downWindow * 8 / windowSeconds));
        }

        return points;
    }
}
