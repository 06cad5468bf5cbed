using System.Globalization;
using Aether.Simulator.Load;

namespace Aether.Simulator.Reporting;

/// <summary>
/// The progress line on stderr: rewritten in place when stderr is a terminal; otherwise a plain line now and
/// then, so logs and CI output stay readable. While holding it says when the releases start, and what ends the
/// hold early (<paramref name="holdUntil"/>, by file name).
/// </summary>
internal sealed class ProgressLine(TextWriter writer, bool inPlace, long total, TimeSpan plainInterval, TimeProvider time, string? holdUntil = null)
{
    private const int BarWidth = 24;
    private long _lastPlain = long.MinValue;
    private bool _dirty;

    public static ProgressLine ForStandardError(long total, TimeProvider time, string? holdUntil = null) =>
        new(Console.Error, !Console.IsErrorRedirected, total, TimeSpan.FromSeconds(5), time, holdUntil);

    public void Report(ProgressSnapshot p)
    {
        bool done = p.Phase == "done";
        string line = Format(p, total, holdUntil);
        if (inPlace)
        {
            writer.Write("\r\u001b[K" + line);
            _dirty = true;
            if (done)
            {
                writer.WriteLine();
                _dirty = false;
            }

            writer.Flush();
            return;
        }

        long now = time.GetTimestamp();
        if (done || _lastPlain == long.MinValue || time.GetElapsedTime(_lastPlain, now) >= plainInterval)
        {
            writer.WriteLine(line);
            _lastPlain = now;
        }
    }

    /// <summary>Ends an in-place line so log output after it starts on a fresh line.</summary>
    public void Finish()
    {
        if (_dirty)
        {
            writer.WriteLine();
            _dirty = false;
        }
    }

    internal static string Format(ProgressSnapshot p, long total, string? holdUntil = null)
    {
        string bar = "";
        if (total > 0)
        {
            int filled = (int)Math.Clamp((p.Bound + p.Failed) * BarWidth / total, 0, BarWidth);
            bar = "[" + new string('#', filled) + new string('.', BarWidth - filled) + "] ";
        }

        string hold = p.HoldLeft is not { } left ? ""
            : holdUntil is null ? $" | releasing in {Remaining(left)}"
            : $" | releasing when {Path.GetFileName(holdUntil)} exists, or in {Remaining(left)}";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{bar}{p.Elapsed.TotalSeconds,6:0.0}s {p.Phase,-9} started {p.Started} bound {p.Bound} failed {p.Failed} in-flight {p.InFlight} released {p.Released} | {p.RecentRate:0}/s p50 {p.P50Milliseconds:0.##} ms p99 {p.P99Milliseconds:0.##} ms{hold}");
    }

    /// <summary>Whole seconds, rounded up: "45s", "9m48s".</summary>
    private static string Remaining(TimeSpan left)
    {
        long seconds = (long)Math.Ceiling(left.TotalSeconds);
        return seconds >= 60
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m{seconds % 60:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
    }
}
