using Aether.TestUtilities;

namespace Aether.AgentScaleBench;

/// <summary>
/// The BNG's network namespace for one run ("asb" and a random suffix, so that no other namespace on the host is
/// touched): one subscriber interface, a veth whose peer stays in the namespace (the bench sends no traffic).
/// Deleting the namespace removes the interface, its IFB shards and the agent's nftables table with it.
/// </summary>
internal sealed class BenchNamespace : IAsyncDisposable
{
    public const string Interface = "sub0";
    public const string GatewayIp = "100.64.0.1";

    private BenchNamespace(string name) => Name = name;

    public string Name { get; }

    public static async Task<BenchNamespace> CreateAsync()
    {
        var ns = new BenchNamespace("asb" + Guid.NewGuid().ToString("N")[..6]);
        await Run("ip", "netns", "add", ns.Name);
        try
        {
            await ns.InAsync("ip", "link", "set", "lo", "up");
            await ns.InAsync("ip", "link", "add", Interface, "type", "veth", "peer", "name", Interface + "p");
            await ns.InAsync("ip", "addr", "add", GatewayIp + "/10", "dev", Interface);
            await ns.InAsync("ip", "link", "set", Interface, "up");
            await ns.InAsync("ip", "link", "set", Interface + "p", "up");
            return ns;
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
    }

    public Task<ProcessResult> InAsync(params string[] command) => Run("ip", ["netns", "exec", Name, .. command]);

    public async ValueTask DisposeAsync() => await ProcessRunner.RunAsync("ip", ["netns", "del", Name]);

    private static async Task<ProcessResult> Run(string file, params string[] args) =>
        (await ProcessRunner.RunAsync(file, args, TimeSpan.FromMinutes(2))).EnsureSuccess($"{file} {string.Join(' ', args)}");
}
