using Aether.TestUtilities;

namespace Aether.Radius.Tests.Support;

/// <summary>One radiusd for the collection's tests.</summary>
[CollectionDefinition(Name)]
public sealed class FreeRadiusCollection : ICollectionFixture<FreeRadiusServer>
{
    public const string Name = "FreeRADIUS";
}
