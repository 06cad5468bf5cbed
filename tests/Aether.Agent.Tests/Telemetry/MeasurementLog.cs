using System.Diagnostics.Metrics;
using Aether.Observability;

namespace Aether.Agent.Tests.Telemetry;

/// <summary>Every measurement of the agent's meter while it lives (instruments are process-wide statics).</summary>
internal sealed class MeasurementLog : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Name, double Value, Dictionary<string, string?> Tags)> _measurements = [];

    public MeasurementLog()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AgentMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    public IReadOnlyList<(string Name, double Value, Dictionary<string, string?> Tags)> Of(string name)
    {
        lock (_measurements)
        {
            return [.. _measurements.Where(m => m.Name == name)];
        }
    }

    public void Collect() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, copy));
        }
    }
}

/// <summary>The agent's instruments are statics: tests that listen to them do not run beside each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AgentMetricsCollection
{
    public const string Name = "agent metrics";
}
