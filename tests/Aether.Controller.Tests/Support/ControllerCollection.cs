using Aether.TestUtilities;

namespace Aether.Controller.Tests.Support;

/// <summary>
/// One PostgreSQL, one nats-server and one FreeRADIUS for the controllers these tests host in-process; each host
/// gets its own database and stream. Not parallel: the controller's instruments and activity source are process-wide.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ControllerCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<NatsServer>, ICollectionFixture<FreeRadiusServer>
{
    public const string Name = "controller host";
}
