using Aether.Agent.Kernel;
using Aether.Agent.Tests.Support;
using Aether.TestUtilities;

namespace Aether.Agent.Tests.Kernel;

/// <summary>nftables scripts through libnftables in process, against the real kernel in the lab's BNG namespace.</summary>
[Collection(KernelCollection.Name)]
public sealed class NftContextTests : IAsyncLifetime
{
    private readonly NetworkLab _lab = new();

    public Task InitializeAsync() => _lab.InitializeAsync();

    public Task DisposeAsync() => _lab.DisposeAsync();

    private string Table => "nctx" + _lab.Id;

    private async Task<string> ListSetAsync(string ns) => (await NetworkLab.TryIn(ns, "nft", "list", "set", "inet", Table, "s")).StandardOutput;

    [Fact]
    public async Task Scripts_run_in_process_inside_the_namespace_one_transaction_each()
    {
        var log = new TestLog();
        using var nft = new NftContext(new CommandRunner(_lab.Bng), log.For<NftContextTests>());
        Assert.True(await nft.InProcess.WaitAsync(TestTimeouts.Await), "libnftables should load here");

        var created = await nft.RunAsync($"add table inet {Table}\nadd set inet {Table} s {{ type ipv4_addr; counter; }}\n", TestTimeouts.Token());
        Assert.True(created.Succeeded, created.StandardError);
        for (var i = 1; i <= 200; i++)
        {
            var added = await nft.RunAsync($"add element inet {Table} s {{ 100.64.{i / 250}.{i % 250 + 1} }}", TestTimeouts.Token());
            Assert.True(added.Succeeded, added.StandardError);
        }

        var set = await ListSetAsync(_lab.Bng);
        Assert.Contains("100.64.0.2 counter", set, StringComparison.Ordinal);
        Assert.Contains("100.64.0.201 counter", set, StringComparison.Ordinal);
        // In the lab's namespace, not in the one this process runs in.
        Assert.NotEqual(0, (await ProcessRunner.RunAsync("nft", ["list", "table", "inet", Table], TestTimeouts.Await)).ExitCode);
        log.AssertNoErrors();
    }

    [Fact]
    public async Task A_refused_script_applies_nothing_and_says_why()
    {
        var log = new TestLog();
        using var nft = new NftContext(new CommandRunner(_lab.Bng), log.For<NftContextTests>());
        await nft.RunAsync($"add table inet {Table}\nadd set inet {Table} s {{ type ipv4_addr; }}\n", TestTimeouts.Token());

        // The delete names an element that is not there: the whole transaction is refused, the add with it.
        var result = await nft.RunAsync($"add element inet {Table} s {{ 100.64.9.9 }}\ndelete element inet {Table} s {{ 100.64.9.10 }}\n", TestTimeouts.Token());

        Assert.False(result.Succeeded);
        Assert.Contains("No such file or directory", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("100.64.9.9", await ListSetAsync(_lab.Bng), StringComparison.Ordinal);

        // The context carries on.
        Assert.True((await nft.RunAsync($"add element inet {Table} s {{ 100.64.9.11 }}", TestTimeouts.Token())).Succeeded);
        Assert.Contains("100.64.9.11", await ListSetAsync(_lab.Bng), StringComparison.Ordinal);
    }
}
