using System.Diagnostics;
using System.Text;
using System.Text.Json;
using OpenTelemetry;

namespace Aether.Observability.Internal;

/// <summary>
/// Writes each finished span as one JSON line (trace id, span id, parent, name, service, times, tags) so a setup can
/// be followed across processes with grep or jq, without a collector. Appends; several processes may share a file.
/// </summary>
internal sealed class FileActivityExporter : BaseExporter<Activity>
{
    private readonly string _path;
    private readonly string _serviceName;
    private readonly Lock _lock = new();

    public FileActivityExporter(string path, string serviceName)
    {
        _path = path;
        _serviceName = serviceName;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    public override ExportResult Export(in Batch<Activity> batch)
    {
        var buffer = new MemoryStream();
        foreach (var activity in batch)
        {
            Write(buffer, activity);
        }

        try
        {
            lock (_lock)
            {
                // O_APPEND: whole lines from several processes do not interleave.
                using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                buffer.WriteTo(file);
            }

            return ExportResult.Success;
        }
        catch (IOException)
        {
            return ExportResult.Failure;
        }
        catch (UnauthorizedAccessException)
        {
            return ExportResult.Failure;
        }
    }

    private void Write(Stream stream, Activity activity)
    {
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("traceId", activity.TraceId.ToHexString());
            json.WriteString("spanId", activity.SpanId.ToHexString());
            json.WriteString("parentSpanId", activity.ParentSpanId == default ? string.Empty : activity.ParentSpanId.ToHexString());
            json.WriteString("name", activity.DisplayName);
            json.WriteString("kind", activity.Kind.ToString());
            json.WriteString("service", _serviceName);
            json.WriteString("start", activity.StartTimeUtc.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("durationMs", activity.Duration.TotalMilliseconds);
            json.WriteString("status", activity.Status.ToString());
            if (activity.StatusDescription is { } description)
            {
                json.WriteString("statusDescription", description);
            }

            json.WriteStartObject("tags");
            foreach (var (key, value) in activity.EnumerateTagObjects())
            {
                json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            }

            json.WriteEndObject();
            json.WriteStartArray("events");
            foreach (var e in activity.Events)
            {
                json.WriteStringValue(e.Name);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        stream.Write("\n"u8);
    }
}
