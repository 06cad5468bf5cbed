using System.Text;
using System.Text.Json;
using Aether.Events;
using Aether.Ingestor.Tests.Support;

namespace Aether.Ingestor.Tests;

public sealed class EventContractTests
{
    [Fact]
    public void Json_is_snake_case_without_nulls_and_round_trips()
    {
        var bng = new SessionScript();
        var e = bng.Start("s-1", 1);

        var json = Encoding.UTF8.GetString(AetherEventJson.Serialize(e));
        var back = AetherEventJson.Deserialize(Encoding.UTF8.GetBytes(json));

        Assert.Contains("\"bng_id\":\"bng-01\"", json, StringComparison.Ordinal);
        Assert.Contains("\"download_kbps\":20000", json, StringComparison.Ordinal);
        Assert.DoesNotContain("counters", json, StringComparison.Ordinal);
        Assert.DoesNotContain("message_id", json, StringComparison.Ordinal);
        Assert.Equal(e, back);
    }

    [Fact]
    public void Json_without_a_required_member_is_rejected()
    {
        Assert.Throws<JsonException>(() => AetherEventJson.Deserialize("{\"type\":\"SESSION_START\",\"bng_id\":\"b\"}"u8));
        Assert.Throws<JsonException>(() => AetherEventJson.Deserialize("null"u8));
    }

    [Fact]
    public void Subjects_carry_the_bng_and_the_type_and_keep_tokens_whole()
    {
        Assert.Equal("aether.events.bng-01.session_start", EventSubjects.For("aether.events", "bng-01", EventTypes.SessionStart));
        Assert.Equal("aether.events.pop1_bng_2.bng_health_update", EventSubjects.For("aether.events", "pop1.bng 2", EventTypes.BngHealthUpdate));
        Assert.Equal("aether.events.bng-01.*", EventSubjects.ForBng("aether.events", "bng-01"));
    }

    [Fact]
    public void Message_id_is_bng_instance_and_sequence()
    {
        var e = new SessionScript("bng-9", "boot-3").Health(1, 2, 3);

        Assert.Equal("bng-9.boot-3.1", e.MessageId);
    }

    [Fact]
    public void Stream_options_report_every_error_at_once()
    {
        var options = new EventStreamOptions
        {
            Url = "http://x",
            StreamName = "a.b",
            SubjectPrefix = "a..b",
            DuplicateWindow = TimeSpan.Zero,
            Replicas = 0,
        };

        Assert.Equal(5, options.Validate().Count);
        Assert.Empty(new EventStreamOptions().Validate());
    }

    [Fact]
    public void Ingestor_options_report_every_error_at_once()
    {
        var options = new IngestorOptions { Durable = "", BatchSize = 0, MaxWait = TimeSpan.Zero, AckWait = TimeSpan.Zero };

        Assert.Equal(4, options.Validate().Count);
        Assert.Empty(new IngestorOptions().Validate());
    }
}
