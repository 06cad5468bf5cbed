using Aether.Controller.Aaa;
using Aether.Controller.Sessions;
using Aether.Radius;

namespace Aether.Controller.Tests;

public sealed class AccountingTests
{
    [Theory]
    [InlineData("User-Request", AcctTerminateCause.UserRequest)]
    [InlineData("Admin-Reset", AcctTerminateCause.AdminReset)]
    [InlineData("Session-Timeout", AcctTerminateCause.SessionTimeout)]
    [InlineData("Idle-Timeout", AcctTerminateCause.IdleTimeout)]
    [InlineData("Lost-Service", AcctTerminateCause.LostService)]
    [InlineData("NAS-Reboot", AcctTerminateCause.NasReboot)]
    [InlineData("something else", AcctTerminateCause.NasRequest)]
    public void Stop_causes_map_to_RFC_2866_terminate_causes(string cause, AcctTerminateCause expected)
    {
        Assert.Equal(expected, AccountingQueue.TerminateCause(cause));
    }

    [Fact]
    public void Derived_event_sequence_is_stable_per_session_and_distinct_between_sessions()
    {
        var a = SessionReports.StableSeq("f21ac9c9f3c74f71ae36038e441b04cc");

        Assert.Equal(a, SessionReports.StableSeq("f21ac9c9f3c74f71ae36038e441b04cc"));
        Assert.NotEqual(a, SessionReports.StableSeq("f5d8cbe261ee457c92e68c592f4fef80"));
        Assert.True(a <= long.MaxValue, "fits the event log's bigint seq");
    }
}
