using Aether.TestUtilities;

namespace Aether.Ingestor.Tests.Support;

/// <summary>One PostgreSQL and one nats-server for every test in the collection; each test has its own database and stream.</summary>
[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<NatsServer>
{
    public const string Name = "event pipeline";
}
