using Aether.Agent.Tests.Support;

namespace Aether.Agent.Tests;

public sealed class AgentOptionsTests
{
    [Fact]
    public void A_complete_configuration_is_valid() =>
        Assert.Empty(AgentOptionsValidator.Errors(TestOptions.Valid("/var/lib/aether-agent", "sub0", "sub1")));

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var options = new AgentOptions
        {
            BngId = "",
            Controller = "ftp://x",
            DhcpServer = "nope",
            StateDirectory = "relative",
            CounterInterval = TimeSpan.FromSeconds(10),
            IdleTimeout = TimeSpan.FromSeconds(5),
            Headless = new HeadlessOptions { NewSubscribers = HeadlessPolicy.FailOpen },
        };

        var errors = AgentOptionsValidator.Errors(options);

        Assert.Contains(errors, e => e.Contains("BngId", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Controller", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("DhcpServer", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("SubscriberInterfaces", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("StateDirectory", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("IdleTimeout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Headless", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unreadable_token_file_is_a_startup_error_that_names_the_file()
    {
        var options = TestOptions.Valid("/var/lib/aether-agent");
        options.TokenFile = "/nonexistent/aether/agent.token";

        var error = Assert.Single(AgentOptionsValidator.Errors(options));

        Assert.Contains("Agent:TokenFile '/nonexistent/aether/agent.token' cannot be read", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_token_file_is_a_startup_error()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, " \n");
            var options = TestOptions.Valid("/var/lib/aether-agent");
            options.TokenFile = file;

            Assert.Contains(AgentOptionsValidator.Errors(options), e => e.Contains("is empty", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_token_file_wins_over_the_token_and_both_are_trimmed()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "  from-file\n");
            var options = TestOptions.Valid("/var/lib/aether-agent");
            options.Token = " inline ";

            Assert.Equal("inline", Aether.Agent.Control.AgentToken.Resolve(options));
            options.TokenFile = file;
            Assert.Equal("from-file", Aether.Agent.Control.AgentToken.Resolve(options));
            Assert.Null(Aether.Agent.Control.AgentToken.Resolve(TestOptions.Valid("/var/lib/aether-agent")));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Interfaces_must_have_distinct_names_and_gateways()
    {
        var options = TestOptions.Valid("/var/lib/a", "sub0", "sub0");
        options.SubscriberInterfaces[1].GatewayIp = options.SubscriberInterfaces[0].GatewayIp;

        var errors = AgentOptionsValidator.Errors(options);

        Assert.Contains(errors, e => e.Contains("configured twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("used by another interface", StringComparison.Ordinal));
    }

    [Fact]
    public void An_interface_name_must_leave_room_for_its_ifb() =>
        Assert.Contains(AgentOptionsValidator.Errors(TestOptions.Valid("/var/lib/a", "a-very-long-name")), e => e.Contains("IFB", StringComparison.Ordinal));

    [Fact]
    public void Tls_settings_need_https_readable_files_and_a_certificate_with_its_key()
    {
        var options = TestOptions.Valid("/var/lib/a");
        options.TlsCaFile = "/nonexistent/ca.crt";
        options.TlsCertificateFile = "/nonexistent/agent.crt";

        var errors = AgentOptionsValidator.Errors(options);

        Assert.Contains(errors, e => e.Contains("need an https Agent:Controller", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Agent:TlsCaFile '/nonexistent/ca.crt'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("set both or neither", StringComparison.Ordinal));
    }
}
