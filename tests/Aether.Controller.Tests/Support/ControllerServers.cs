using Aether.TestUtilities;

namespace Aether.Controller.Tests.Support;

/// <summary>One PostgreSQL, one nats-server and one FreeRADIUS for every test in the collection; each test has its own database and stream.</summary>
[CollectionDefinition(Name)]
public sealed class ControllerServers : ICollectionFixture<PostgresServer>, ICollectionFixture<NatsServer>, ICollectionFixture<FreeRadiusServer>
{
    public const string Name = "controller servers";
}
