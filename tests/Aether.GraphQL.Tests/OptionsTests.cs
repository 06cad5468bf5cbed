using Aether.GraphQL.Tests.Support;
using Aether.TestUtilities;
using Microsoft.Extensions.Options;

namespace Aether.GraphQL.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Every_problem_is_reported_at_once_without_quoting_keys()
    {
        var options = new AetherGraphQLOptions
        {
            ApiKeys =
            [
                new ApiKeyOptions { Name = "ops", Key = "short-secret", Role = ApiRole.Operator },
                new ApiKeyOptions { Name = "ops", Key = "long-enough-secret-1", Role = ApiRole.Viewer },
                new ApiKeyOptions { Name = "", Key = "long-enough-secret-1", Role = (ApiRole)7 },
            ],
            MaxDepth = 1,
            MaxComplexity = 5,
            RadiusConnectionString = "Host=x;Password=radius-secret;Bogus Key=1",
            ConnectionInitTimeout = TimeSpan.Zero,
        };

        var errors = options.Validate();

        Assert.Equal(9, errors.Count);
        Assert.Contains("GraphQL:ApiKeys:0: the key of 'ops' is shorter than 16 characters.", errors);
        Assert.Contains("GraphQL:ApiKeys:1: the name 'ops' is used twice.", errors);
        Assert.Contains("GraphQL:ApiKeys:2: the key of '' is also given to another name.", errors);
        Assert.Contains("GraphQL:ApiKeys:2: Role must be Viewer or Operator.", errors);
        Assert.Contains("GraphQL:MaxDepth must be between 2 and 64.", errors);
        Assert.All(errors, e => Assert.DoesNotContain("secret", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Keys_are_read_from_a_file_of_name_role_key_lines()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, ["# API keys", "", "ops operator 0123456789abcdef0123", "wall viewer abcdef0123456789abcd", "broken line", "x admin 0123456789abcdef9999"]);
            var options = new AetherGraphQLOptions { ApiKeysFile = file };

            var errors = options.Validate();
            var store = new Internal.Security.ApiKeyStore(Options.Create(options));

            Assert.Equal([$"GraphQL:ApiKeysFile line 5: expected \"name role key\".", "GraphQL:ApiKeysFile line 6: role 'admin' is not viewer or operator."], errors);
            Assert.Equal(ApiRole.Operator, store.Authenticate("0123456789abcdef0123").Identity.Role);
            Assert.Equal("wall", store.Authenticate("abcdef0123456789abcd").Identity.Name);
            Assert.Equal(Internal.Security.CredentialStatus.Invalid, store.Authenticate("0123456789abcdef0124").Status);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

[Collection(GraphQLCollection.Name)]
public sealed class StartupValidationTests(PostgresServer postgres, NatsServer nats)
{
    [Fact]
    public async Task A_server_with_invalid_options_does_not_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GraphQLHost.StartAsync(postgres, nats, new Dictionary<string, string?>
        {
            ["GraphQL:ApiKeys:0:Key"] = "short",
            ["GraphQL:MaxDepth"] = "0",
        }));

        Assert.Contains("GraphQL:MaxDepth must be between 2 and 64.", error.Failures);
        Assert.Contains("GraphQL:ApiKeys:0: the key of 'ops' is shorter than 16 characters.", error.Failures);
    }
}
