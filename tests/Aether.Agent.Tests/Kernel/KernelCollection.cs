namespace Aether.Agent.Tests.Kernel;

/// <summary>Tests that program a real kernel in their own namespaces run one at a time (2 cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelCollection
{
    public const string Name = "kernel";
}
