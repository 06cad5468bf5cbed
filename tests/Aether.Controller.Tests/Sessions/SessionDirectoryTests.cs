using Aether.Controller.Sessions;
using Aether.Controller.Tests.Support;

namespace Aether.Controller.Tests.Sessions;

public sealed class SessionDirectoryTests
{
    private static LiveSession Live(string sessionId, string bngId) => new()
    {
        SessionId = sessionId,
        BngId = bngId,
        UserName = "user",
        State = RawAgentStream.Session(sessionId, "100.64.0.1"),
    };

    [Fact]
    public void Counts_per_bng_follow_starts_moves_and_removals()
    {
        var directory = new SessionDirectory();
        directory.Upsert(Live("a", "bng-1"));
        directory.Upsert(Live("b", "bng-1"));
        directory.Upsert(Live("c", "bng-2"));
        directory.Upsert(Live("a", "bng-1"));
        Assert.Equal(2, directory.CountFor("bng-1"));

        // The same session reported by another BNG moves there.
        directory.Upsert(Live("b", "bng-2"));
        Assert.Equal(1, directory.CountFor("bng-1"));
        Assert.Equal(2, directory.CountFor("bng-2"));

        Assert.NotNull(directory.Remove("a"));
        Assert.Null(directory.Remove("a"));
        Assert.Equal(0, directory.CountFor("bng-1"));
        Assert.Equal(2, directory.CountFor("bng-2"));
        Assert.Equal(0, directory.CountFor("bng-unknown"));
    }
}
