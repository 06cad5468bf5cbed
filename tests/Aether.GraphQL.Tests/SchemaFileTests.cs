using Aether.GraphQL.Internal.Schema;
using GraphQL;
using GraphQL.Types;
using GraphQL.Utilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aether.GraphQL.Tests;

public sealed class SchemaFileTests
{
    /// <summary>The SDL the web dashboard builds against (web/src/graphql/schema.graphql) is the schema the server serves.</summary>
    [Fact]
    public void Schema_file_matches_the_served_schema()
    {
        var printed = PrintSchema();
        var file = Path.Combine(AppContext.BaseDirectory, "schema.graphql");
        var onDisk = File.Exists(file) ? File.ReadAllText(file).ReplaceLineEndings("\n") : "";
        if (onDisk != printed && Environment.GetEnvironmentVariable("AETHER_UPDATE_SCHEMA") == "1")
        {
            File.WriteAllText(Path.Combine(RepositoryRoot(), "web", "src", "graphql", "schema.graphql"), printed);
            return;
        }

        Assert.True(onDisk == printed,
            "web/src/graphql/schema.graphql differs from the served schema; run the tests with AETHER_UPDATE_SCHEMA=1 to rewrite it.");
    }

    internal static string PrintSchema()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddAetherGraphQL(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        var schema = provider.GetRequiredService<AetherSchema>();
        schema.Initialize();
        var sdl = schema.Print(new PrintOptions { IncludeDescriptions = true, IncludeDeprecationReasons = true });
        return sdl.ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Aether.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Aether.sln not found above the test binaries.");
    }
}
