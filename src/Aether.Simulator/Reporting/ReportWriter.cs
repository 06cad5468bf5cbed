using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Aether.Simulator.Reporting;

/// <summary>Writes a <see cref="LoadReport"/> as text, JSON, and a latency picture (SVG, or HTML around it).</summary>
internal static class ReportWriter
{
    /// <summary>Latencies below a microsecond sit at the left edge of the log axis.</summary>
    private const double MinAxisMs = 0.001;
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    public static string ToText(LoadReport report)
    {
        var s = report.Subscribers;
        var l = report.LatencyMs;
        var m = report.Messages;
        var text = new StringBuilder();
        Line(text, $"aether-sim {report.Command}: {report.Transport}{(report.Cancelled ? " (interrupted)" : "")}");
        string pool = report.Command == "churn" ? "in the pool, joins:" : "requested,";
        Line(text, $"  subscribers   {s.Requested} {pool} {s.Started} started, {s.Bound} bound, {s.Failed} failed, {s.Released} released (peak bound {s.PeakBound})");
        Line(text, $"  setup rate    {report.SessionsPerSecond:0.0} sessions/s over {report.SetupSeconds:0.000} s (run {report.ElapsedSeconds:0.000} s)");
        Line(text, $"  DORA latency  p50 {l.P50:0.###} ms  p95 {l.P95:0.###} ms  p99 {l.P99:0.###} ms  max {l.Max:0.###} ms  (min {l.Min:0.###}, mean {l.Mean:0.###}, p99.9 {l.P999:0.###})");
        var failed = report.Failures.Where(f => f.Value > 0).Select(f => $"{f.Key} {f.Value}").ToList();
        Line(text, $"  failures      {(failed.Count == 0 ? "none" : string.Join(", ", failed))}");
        Line(text, $"  sent          DISCOVER {m.DiscoverSent} ({m.DiscoverRetransmitted} retransmitted), REQUEST {m.RequestSent} ({m.RequestRetransmitted} retransmitted), RELEASE {m.ReleaseSent}");
        Line(text, $"  received      OFFER {m.Offers}, ACK {m.Acks}, NAK {m.Naks}; late {m.LateReplies}, malformed {m.MalformedReplies}, unmatched {m.UnmatchedReplies}, other frames {m.IgnoredFrames}");
        foreach (var p in report.Processes)
        {
            Line(text, $"  process       {p.Name} (pid {p.Pid}): CPU mean {p.CpuPercentMean:0.0}% max {p.CpuPercentMax:0.0}% ({p.CpuSeconds:0.00} s), RSS max {Mb(p.RssBytesMax)} last {Mb(p.RssBytesLast)} peak {Mb(p.RssPeakBytes)}{(p.Exited ? " (exited)" : "")}");
        }

        return text.ToString();
    }

    public static string ToJson(LoadReport report) => JsonSerializer.Serialize(report, ReportJsonContext.Default.LoadReport);

    /// <summary>A self-contained SVG of the latency distribution with p50/p95/p99 marked.</summary>
    public static string ToSvg(LoadReport report)
    {
        const int width = 860;
        const int height = 380;
        const int left = 70;
        const int right = 20;
        const int top = 50;
        const int bottom = 60;
        int plotWidth = width - left - right;
        int plotHeight = height - top - bottom;
        var bins = report.Histogram;
        long peak = bins.Count == 0 ? 1 : Math.Max(1, bins.Max(b => b.Count));
        var svg = new StringBuilder();
        svg.Append(s_invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(s_invariant, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        var l = report.LatencyMs;
        svg.Append(s_invariant, $"<text x=\"{left}\" y=\"20\" font-size=\"15\" font-weight=\"bold\">DORA latency, {Escape(report.Transport)}</text>\n");
        svg.Append(s_invariant, $"<text x=\"{left}\" y=\"38\">{report.Subscribers.Bound} bound at {report.SessionsPerSecond:0.0}/s — p50 {l.P50:0.###} ms, p95 {l.P95:0.###} ms, p99 {l.P99:0.###} ms, max {l.Max:0.###} ms</text>\n");
        svg.Append(s_invariant, $"<line x1=\"{left}\" y1=\"{top + plotHeight}\" x2=\"{left + plotWidth}\" y2=\"{top + plotHeight}\" stroke=\"#333\"/>\n");
        svg.Append(s_invariant, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + plotHeight}\" stroke=\"#333\"/>\n");
        for (int tick = 0; tick <= 4; tick++)
        {
            double y = top + plotHeight - (plotHeight * tick / 4.0);
            svg.Append(s_invariant, $"<line x1=\"{left - 4}\" y1=\"{y:0.#}\" x2=\"{left + plotWidth}\" y2=\"{y:0.#}\" stroke=\"#eee\"/>\n");
            svg.Append(s_invariant, $"<text x=\"{left - 8}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{peak * tick / 4}</text>\n");
        }

        svg.Append(s_invariant, $"<text x=\"16\" y=\"{top + (plotHeight / 2)}\" transform=\"rotate(-90 16 {top + (plotHeight / 2)})\" text-anchor=\"middle\">subscribers</text>\n");
        svg.Append(s_invariant, $"<text x=\"{left + (plotWidth / 2)}\" y=\"{height - 12}\" text-anchor=\"middle\">latency (ms, log scale)</text>\n");
        if (bins.Count > 0)
        {
            // A true log axis: each bin spans log(from)..log(to), so gaps between clusters show as gaps.
            double lo = Math.Log2(Math.Max(MinAxisMs, bins[0].FromMs));
            double hi = Math.Log2(Math.Max(bins[^1].ToMs, Math.Pow(2, lo + 1)));
            double X(double ms) => left + ((Math.Log2(Math.Max(MinAxisMs, ms)) - lo) / (hi - lo) * plotWidth);
            foreach (var bin in bins)
            {
                double h = plotHeight * bin.Count / (double)peak;
                double x0 = X(bin.FromMs);
                double x1 = X(bin.ToMs);
                svg.Append(s_invariant, $"<rect x=\"{x0:0.##}\" y=\"{top + plotHeight - h:0.##}\" width=\"{Math.Max(1, x1 - x0 - 0.5):0.##}\" height=\"{h:0.##}\" fill=\"#3b7dd8\"><title>{bin.FromMs:0.###}–{bin.ToMs:0.###} ms: {bin.Count}</title></rect>\n");
            }

            foreach (double tick in Ticks(Math.Pow(2, lo), Math.Pow(2, hi)))
            {
                double x = X(tick);
                svg.Append(s_invariant, $"<line x1=\"{x:0.#}\" y1=\"{top + plotHeight}\" x2=\"{x:0.#}\" y2=\"{top + plotHeight + 5}\" stroke=\"#333\"/>\n");
                svg.Append(s_invariant, $"<text x=\"{x:0.#}\" y=\"{top + plotHeight + 18}\" text-anchor=\"middle\">{FormatMs(tick)}</text>\n");
            }

            int row = 0;
            foreach (var (name, value, color) in new[] { ("p50", l.P50, "#2a9d3a"), ("p95", l.P95, "#e08a00"), ("p99", l.P99, "#d03030") })
            {
                double x = X(value);
                svg.Append(s_invariant, $"<line x1=\"{x:0.#}\" y1=\"{top}\" x2=\"{x:0.#}\" y2=\"{top + plotHeight}\" stroke=\"{color}\" stroke-dasharray=\"4 3\"/>\n");
                bool nearRight = x > left + plotWidth - 110;
                svg.Append(s_invariant, $"<text x=\"{(nearRight ? x - 3 : x + 3):0.#}\" y=\"{top + 12 + (14 * row++)}\" fill=\"{color}\" text-anchor=\"{(nearRight ? "end" : "start")}\">{name} {value:0.###} ms</text>\n");
            }
        }
        else
        {
            svg.Append(s_invariant, $"<text x=\"{left + (plotWidth / 2)}\" y=\"{top + (plotHeight / 2)}\" text-anchor=\"middle\">no subscriber was bound</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>An HTML page around <see cref="ToSvg"/> with the summary table; no external resources.</summary>
    public static string ToHtml(LoadReport report)
    {
        var l = report.LatencyMs;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>aether-sim ").Append(Escape(report.Command))
            .Append(" latency</title>\n<style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f4f4f4}</style></head><body>\n");
        html.Append(ToSvg(report));
        html.Append("<table><tr><th>bound</th><th>failed</th><th>sessions/s</th><th>p50 ms</th><th>p90 ms</th><th>p95 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th></tr>\n");
        html.Append(s_invariant, $"<tr><td>{report.Subscribers.Bound}</td><td>{report.Subscribers.Failed}</td><td>{report.SessionsPerSecond:0.0}</td><td>{l.P50:0.###}</td><td>{l.P90:0.###}</td><td>{l.P95:0.###}</td><td>{l.P99:0.###}</td><td>{l.P999:0.###}</td><td>{l.Max:0.###}</td></tr></table>\n");
        html.Append("<pre>").Append(Escape(ToText(report))).Append("</pre>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>Writes the picture: SVG when <paramref name="path"/> ends in .svg, HTML otherwise.</summary>
    public static Task WriteHistogramAsync(LoadReport report, string path, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(
            path,
            path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) ? ToSvg(report) : ToHtml(report),
            cancellationToken);

    /// <summary>1-2-5 ticks between <paramref name="from"/> and <paramref name="to"/> milliseconds.</summary>
    internal static IEnumerable<double> Ticks(double from, double to)
    {
        for (double decade = Math.Pow(10, Math.Floor(Math.Log10(from))); decade <= to; decade *= 10)
        {
            foreach (double step in new[] { 1.0, 2.0, 5.0 })
            {
                double tick = decade * step;
                if (tick >= from && tick <= to)
                {
                    yield return tick;
                }
            }
        }
    }

    private static string FormatMs(double ms) => ms switch
    {
        < 1 => ms.ToString("0.###", s_invariant),
        < 10 => ms.ToString("0.##", s_invariant),
        _ => ms.ToString("0", s_invariant),
    };

    private static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", s_invariant) + " MB";

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static void Line(StringBuilder text, FormattableString line) => text.Append(line.ToString(s_invariant)).Append('\n');
}
