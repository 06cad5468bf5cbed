using Aether.TestUtilities;

namespace Aether.GraphQL.Tests.Support;

/// <summary>One PostgreSQL and one nats-server for every test; each test has its own databases, stream and subjects.</summary>
[CollectionDefinition(Name)]
public sealed class GraphQLCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<NatsServer>
{
    public const string Name = "graphql";
}
