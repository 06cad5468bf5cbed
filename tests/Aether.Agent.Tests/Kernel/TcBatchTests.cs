using Aether.Agent.Kernel;
using Aether.Agent.Tests.Support;

namespace Aether.Agent.Tests.Kernel;

/// <summary>The long-lived `tc -force -batch -` against the real tc, in the lab's BNG namespace.</summary>
[Collection(KernelCollection.Name)]
public sealed class TcBatchTests : IAsyncLifetime
{
    private readonly NetworkLab _lab = new();

    public Task InitializeAsync() => _lab.InitializeAsync();

    public Task DisposeAsync() => _lab.DisposeAsync();

    private static string Htb(string dev) =>
        $"qdisc add dev {dev} root handle 1: htb default ffff\nclass add dev {dev} parent 1: classid 1:1 htb rate 1gbit\n";

    private static string Class(string dev, int minor, int kbps) =>
        $"class replace dev {dev} parent 1:1 classid 1:{minor:x} htb rate {kbps}kbit ceil {kbps}kbit\n";

    private async Task<string> ClassesAsync(string dev) => (await NetworkLab.In(_lab.Bng, "tc", "class", "show", "dev", dev)).StandardOutput;

    [Fact]
    public async Task Many_scripts_run_through_one_tc_and_each_is_applied_when_it_returns()
    {
        var log = new TestLog();
        using var tc = new TcBatch(new CommandRunner(_lab.Bng), log.For<TcBatchTests>());

        Assert.True((await tc.RunAsync(Htb("sub0"), TestTimeouts.Token())).Succeeded);
        for (var i = 0; i < 50; i++)
        {
            var result = await tc.RunAsync(Class("sub0", 0x100 + i, 1000 + i) + Class("sub0", 0x200 + i, 2000 + i), TestTimeouts.Token());
            Assert.True(result.Succeeded, result.Error);
            // Applied by the time the call returns: the kernel has the class at its rate already.
            Assert.Contains($"class htb 1:{0x200 + i:x} parent 1:1", await ClassesAsync("sub0"), StringComparison.Ordinal);
        }

        Assert.Equal(1, tc.Starts);
        // 100 session classes (the link class 1:1 is not one).
        Assert.Equal(100, TcScript.ParseClasses(await ClassesAsync("sub0")).Count);
        log.AssertNoErrors();
    }

    [Fact]
    public async Task A_refused_line_is_named_and_the_lines_around_it_are_applied()
    {
        var log = new TestLog();
        using var tc = new TcBatch(new CommandRunner(_lab.Bng), log.For<TcBatchTests>());
        await tc.RunAsync(Htb("sub0"), TestTimeouts.Token());

        // Line 1 refers to a device that does not exist; lines 0 and 2 are fine.
        var result = await tc.RunAsync(Class("sub0", 0x10, 5000) + Class("nosuchdev", 0x11, 5000) + Class("sub0", 0x12, 5000), TestTimeouts.Token());

        Assert.False(result.Succeeded);
        Assert.True(result.Completed);
        Assert.Equal([1], result.FailedLines);
        Assert.Contains("nosuchdev", result.Error, StringComparison.Ordinal);
        var classes = TcScript.ParseClasses(await ClassesAsync("sub0"));
        Assert.Contains((ushort)0x10, classes);
        Assert.Contains((ushort)0x12, classes);

        // The same tc carries on, and the line numbers stay right.
        var next = await tc.RunAsync(Class("nosuchdev", 0x13, 5000) + Class("sub0", 0x14, 5000), TestTimeouts.Token());
        Assert.Equal([0], next.FailedLines);
        Assert.Equal(1, tc.Starts);
    }

    [Fact]
    public async Task A_line_that_makes_tc_exit_fails_its_script_and_the_next_script_gets_a_new_tc()
    {
        var log = new TestLog();
        using var tc = new TcBatch(new CommandRunner(_lab.Bng), log.For<TcBatchTests>());
        await tc.RunAsync(Htb("sub0"), TestTimeouts.Token());

        // tc exits on a class id it cannot parse ("argument ... is wrong"); the line after it never runs.
        var broken = await tc.RunAsync("class replace dev sub0 parent 1:1 classid zz:zz htb rate 1mbit\n" + Class("sub0", 0x20, 3000), TestTimeouts.Token());

        Assert.False(broken.Succeeded);
        Assert.False(broken.Completed);
        Assert.Contains("invalid class ID", broken.Error, StringComparison.Ordinal);
        Assert.Contains(log.Entries, e => e.EventId.Id == 1335);
        Assert.DoesNotContain((ushort)0x20, TcScript.ParseClasses(await ClassesAsync("sub0")));
        var result = await tc.RunAsync(Class("sub0", 0x21, 3000), TestTimeouts.Token());
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(2, tc.Starts);
        Assert.Contains((ushort)0x21, TcScript.ParseClasses(await ClassesAsync("sub0")));
    }

    [Fact]
    public async Task Tcs_pipes_are_read_by_threads_of_their_own_that_end_with_it()
    {
        var log = new TestLog();
        var tc = new TcBatch(new CommandRunner(_lab.Bng), log.For<TcBatchTests>());
        Assert.True((await tc.RunAsync(Htb("sub0"), TestTimeouts.Token())).Succeeded);

        // A blocking read of a pipe on a thread-pool worker would hold it for as long as tc lives.
        var names = ThreadNames.OfThisProcess();
        Assert.Contains("tc errors", names);
        Assert.Contains("tc output", names);

        tc.Dispose();
        await TestTimeouts.WaitUntilAsync(() => !ThreadNames.OfThisProcess().Any(n => n is "tc errors" or "tc output"), "the readers to end with tc");
        log.AssertNoErrors();
    }
}
