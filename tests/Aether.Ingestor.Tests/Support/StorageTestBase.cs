using Aether.Events;
using Aether.Ingestor.Internal;
using Aether.Storage;
using Aether.TestUtilities;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Aether.Ingestor.Tests.Support;

/// <summary>Tests of the log and the projection on their own: a migrated database and a writer, no NATS.</summary>
public abstract class StorageTestBase(PostgresServer postgres, NatsServer nats) : PipelineTestBase(postgres, nats)
{
    protected NpgsqlDataSource DataSource { get; private set; } = null!;

    protected EventLogWriter Writer { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        Writer = new EventLogWriter(DataSource);
        await NewMigrator().MigrateAsync(CancellationToken.None).WaitAsync(Timeout);
    }

    public override async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await base.DisposeAsync();
    }

    protected SchemaMigrator NewMigrator() => new(DataSource, TimeProvider.System, NullLogger<SchemaMigrator>.Instance);

    protected ReadModelRebuilder NewRebuilder(int chunkSize = 5000) =>
        new(DataSource, NullLogger<ReadModelRebuilder>.Instance) { ChunkSize = chunkSize };

    protected static EventRecord Record(AetherEvent e) =>
        EventDecoder.TryDecode(AetherEventJson.Serialize(e), out var record, out var error)
            ? record!
            : throw new InvalidOperationException(error);

    protected Task<AppendResult> AppendAsync(params AetherEvent[] events) =>
        Writer.AppendAsync(events.Select(Record).ToList(), CancellationToken.None).WaitAsync(Timeout);
}
