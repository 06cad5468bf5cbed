using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;

namespace Aether.Observability.Internal;

/// <summary>
/// Writes each finished span as one JSON line (trace id, span id, parent, name, service, times, tags) so a setup can
/// be followed across processes with grep or jq, without a collector. Appends; several processes may share a file.
/// Runs under OpenTelemetry's batch processor: one write per batch, on the processor's own thread. The file stays
/// open between batches and is opened again when it was moved or deleted (rotation).
/// </summary>
internal sealed class FileActivityExporter : BaseExporter<Activity>
{
    private readonly string _path;
    private readonly string _serviceName;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _json;
    private FileStream? _file;

    public FileActivityExporter(string path, string serviceName)
    {
        _path = Path.GetFullPath(path);
        _serviceName = serviceName;
        _json = new Utf8JsonWriter(_buffer);
        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    public override ExportResult Export(in Batch<Activity> batch)
    {
        _buffer.ResetWrittenCount();
        foreach (var activity in batch)
        {
            Write(activity);
        }

        try
        {
            var file = Open();
            // One write(2) per batch, O_APPEND: whole lines from several processes do not interleave.
            file.Write(_buffer.WrittenSpan);
            return ExportResult.Success;
        }
        catch (IOException)
        {
            Close();
            return ExportResult.Failure;
        }
        catch (UnauthorizedAccessException)
        {
            Close();
            return ExportResult.Failure;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
            _json.Dispose();
        }

        base.Dispose(disposing);
    }

    private FileStream Open()
    {
        // Rotated away (moved or deleted): start a new file at the configured path.
        if (_file is not null && !File.Exists(_path))
        {
            Close();
        }

        return _file ??= new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
    }

    private void Close()
    {
        _file?.Dispose();
        _file = null;
    }

    private void Write(Activity activity)
    {
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString("traceId", activity.TraceId.ToHexString());
        _json.WriteString("spanId", activity.SpanId.ToHexString());
        _json.WriteString("parentSpanId", activity.ParentSpanId == default ? string.Empty : activity.ParentSpanId.ToHexString());
        _json.WriteString("name", activity.DisplayName);
        _json.WriteString("kind", activity.Kind.ToString());
        _json.WriteString("service", _serviceName);
        _json.WriteString("start", activity.StartTimeUtc.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        _json.WriteNumber("durationMs", activity.Duration.TotalMilliseconds);
        _json.WriteString("status", activity.Status.ToString());
        if (activity.StatusDescription is { } description)
        {
            _json.WriteString("statusDescription", description);
        }

        _json.WriteStartObject("tags");
        foreach (var (key, value) in activity.EnumerateTagObjects())
        {
            _json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
        }

        _json.WriteEndObject();
        _json.WriteStartArray("events");
        foreach (var e in activity.Events)
        {
            _json.WriteStringValue(e.Name);
        }

        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n"u8);
    }
}
