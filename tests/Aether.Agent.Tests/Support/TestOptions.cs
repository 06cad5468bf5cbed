using Aether.Agent;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Tests.Support;

internal static class TestOptions
{
    public static AgentOptions Valid(string stateDirectory, params string[] interfaces)
    {
        var options = new AgentOptions
        {
            BngId = "bng-test",
            Controller = "http://127.0.0.1:1",
            DhcpServer = "198.18.0.1",
            StateDirectory = stateDirectory,
        };
        var i = 0;
        foreach (var name in interfaces.Length == 0 ? ["sub0"] : interfaces)
        {
            options.SubscriberInterfaces.Add(new SubscriberInterfaceOptions { Name = name, GatewayIp = $"100.64.{i++}.1" });
        }
        return options;
    }

    public static IOptions<AgentOptions> Wrap(AgentOptions options) => Options.Create(options);
}

/// <summary>A directory under /tmp removed when the test ends.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aether-agent-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
