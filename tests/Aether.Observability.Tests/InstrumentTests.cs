using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Aether.Observability;
using Aether.Radius;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aether.Observability.Tests;

// Instruments are process-wide statics: these tests must not run in parallel with each other.
[Collection(nameof(MetricsCollection))]
public sealed class InstrumentTests
{
    [Fact]
    public void Observable_instrument_reports_what_its_bound_source_returns()
    {
        var recorded = new List<(long Value, string? Reason)>();
        using var binding = AgentMetrics.DroppedSource.Bind(() =>
            [new Measurement<long>(3, new KeyValuePair<string, object?>(AgentMetrics.InterfaceLabel, "eth1"), new KeyValuePair<string, object?>(AgentMetrics.ReasonLabel, "untrusted-option-82"))]);
        using var listener = Listen<long>("aether.agent.dhcp.dropped", (value, tags) => recorded.Add((value, Tag(tags, AgentMetrics.ReasonLabel))));

        listener.RecordObservableInstruments();

        Assert.Equal([(3L, "untrusted-option-82")], recorded);
    }

    [Fact]
    public void Unbound_observable_instrument_reports_nothing()
    {
        var binding = AgentMetrics.SessionsSource.Bind(() => [new Measurement<long>(7)]);
        binding.Dispose();
        var recorded = new List<long>();
        using var listener = Listen<long>("aether.agent.sessions", (value, _) => recorded.Add(value));

        listener.RecordObservableInstruments();

        Assert.Empty(recorded);
    }

    [Fact]
    public async Task Radius_request_no_server_answers_counts_a_timeout_and_a_no_answer_per_server()
    {
        var timeouts = new List<string?>();
        var requests = new List<(string? Server, string? Result)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RadiusMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var array = tags.ToArray();
            if (instrument.Name == "aether.radius.timeouts")
            {
                timeouts.Add(Tag(array, RadiusMetrics.KindLabel));
            }
            else if (instrument.Name == "aether.radius.requests")
            {
                requests.Add((Tag(array, RadiusMetrics.ServerLabel), Tag(array, RadiusMetrics.ResultLabel)));
            }
        });
        listener.Start();
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)silent.Client.LocalEndPoint!).Port;
        await using var client = new RadiusClient(new RadiusClientOptions
        {
            Servers = [new RadiusServerEndpoint { Host = "127.0.0.1", AuthPort = port, AcctPort = port, Secret = "s" }],
            Timeout = TimeSpan.FromMilliseconds(50),
            MaxRetransmitTimeout = TimeSpan.FromMilliseconds(50),
            Retries = 0,
            SocketCount = 1,
        }, NullLogger<RadiusClient>.Instance);

        await Assert.ThrowsAsync<RadiusTimeoutException>(() =>
            client.AuthenticateAsync(RadiusRequest.AccessRequest("u", "p"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(["auth"], timeouts);
        Assert.Equal([("127.0.0.1", "no-answer")], requests);
        Assert.False(client.Statistics.Last!.Answered);
    }

    internal static MeterListener Listen<T>(string name, Action<T, KeyValuePair<string, object?>[]> onMeasurement)
        where T : struct
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<T>((_, value, tags, _) => onMeasurement(value, tags.ToArray()));
        listener.Start();
        return listener;
    }

    internal static string? Tag(KeyValuePair<string, object?>[] tags, string key) =>
        tags.FirstOrDefault(t => t.Key == key).Value as string;
}

[CollectionDefinition(nameof(MetricsCollection), DisableParallelization = true)]
public sealed class MetricsCollection;
