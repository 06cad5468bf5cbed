using Aether.Ingestor.Tests.Support;
using Aether.Storage;
using Aether.TestUtilities;

namespace Aether.Ingestor.Tests;

[Collection(PipelineCollection.Name)]
public sealed class SchemaMigratorTests(PostgresServer postgres, NatsServer nats) : StorageTestBase(postgres, nats)
{
    [Fact]
    public async Task Processes_migrating_at_once_apply_each_version_once()
    {
        var migrators = Enumerable.Range(0, 4).Select(_ => NewMigrator()).ToList();

        await Task.WhenAll(migrators.Select(m => m.MigrateAsync(CancellationToken.None))).WaitAsync(Timeout);

        Assert.Equal(SchemaMigrator.Migrations.Count, await ScalarAsync("SELECT count(*) FROM schema_migrations"));
        Assert.All(migrators, m => Assert.True(m.Ready.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task Migrations_are_numbered_and_partitions_exist_for_this_month()
    {
        Assert.Equal(Enumerable.Range(1, SchemaMigrator.Migrations.Count), SchemaMigrator.Migrations.Select(m => m.Version));

        var partition = $"session_events_{DateTime.UtcNow:yyyyMM}";
        Assert.Equal(1, await ScalarAsync($"SELECT count(*) FROM pg_class WHERE relname = '{partition}'"));
    }
}
