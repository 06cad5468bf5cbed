namespace Aether.Radius.Tests.DynamicAuthorization;

/// <summary>The CoA server tests read the process-wide aether.coa.dropped counter: they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DynamicAuthorizationCollection
{
    public const string Name = "dynamic authorization";
}
