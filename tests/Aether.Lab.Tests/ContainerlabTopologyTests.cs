using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Aether.Lab.Tests;

/// <summary>
/// lab/containerlab/aether.clab.yml must describe the same nodes, links and addresses as the namespace
/// runner (lab/lab.sh topology prints what it builds).
/// </summary>
public sealed class ContainerlabTopologyTests
{
    private const string ManagementBridge = "ae-mgmt";

    [Fact]
    public async Task Containerlab_file_has_the_same_nodes_links_and_addresses_as_the_namespace_runner()
    {
        var runner = await Shell.RunChecked(Path.Combine(LabFixture.RepoRoot, "lab", "lab.sh"), ["topology"], TimeSpan.FromSeconds(30));
        using var topology = JsonDocument.Parse(runner.Output);
        var clab = LoadClab();
        var clabNodes = (YamlMappingNode)clab["topology"]["nodes"];

        // Nodes: the runner's namespaces, plus the core services node and the management bridge.
        var expectedNodes = topology.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()!).ToHashSet();
        var actualNodes = clabNodes.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet();
        actualNodes.Remove("core");
        actualNodes.Remove(ManagementBridge);
        Assert.Equal(expectedNodes.Order(), actualNodes.Order());

        // Links: endpoints on the management bridge compare by bridge name (containerlab names the port).
        static string Normalize(string endpoint) => endpoint.StartsWith(ManagementBridge + ":", StringComparison.Ordinal) ? ManagementBridge : endpoint;
        static string Key(string a, string b) => string.Join(" <-> ", new[] { Normalize(a), Normalize(b) }.Order());
        var expectedLinks = topology.RootElement.GetProperty("links").EnumerateArray()
            .Select(l => Key(l.GetProperty("a").GetString()!, l.GetProperty("b").GetString()!)).Order().ToList();
        var actualLinks = ((YamlSequenceNode)clab["topology"]["links"]).Children
            .Select(l => ((YamlSequenceNode)l["endpoints"]).Children.Select(e => ((YamlScalarNode)e).Value!).ToArray())
            .Where(e => !e.Contains("core:eth1"))
            .Select(e => Key(e[0], e[1])).Order().ToList();
        Assert.Equal(expectedLinks, actualLinks);

        // Addresses, MACs and Option 82 identities.
        foreach (var node in topology.RootElement.GetProperty("nodes").EnumerateArray())
        {
            var name = node.GetProperty("name").GetString()!;
            var clabNode = (YamlMappingNode)clabNodes[name];
            var exec = clabNode.Children.TryGetValue("exec", out var e)
                ? string.Join('\n', ((YamlSequenceNode)e).Children.Select(c => ((YamlScalarNode)c).Value))
                : "";
            if (node.TryGetProperty("addresses", out var addresses))
            {
                foreach (var address in addresses.EnumerateArray())
                {
                    Assert.Contains($"ip addr add {address.GetString()} dev", exec, StringComparison.Ordinal);
                }
            }
            if (node.TryGetProperty("mac", out var mac))
            {
                Assert.Contains($"ip link set eth0 address {mac.GetString()}", exec, StringComparison.Ordinal);
                var labels = (YamlMappingNode)clabNode["labels"];
                Assert.Equal(node.GetProperty("circuitId").GetString(), ((YamlScalarNode)labels["circuit-id"]).Value);
                Assert.Equal(node.GetProperty("remoteId").GetString(), ((YamlScalarNode)labels["remote-id"]).Value);
                Assert.Equal(node.GetProperty("bngId").GetString(), ((YamlScalarNode)labels["bng-id"]).Value);
            }
        }
    }

    [Fact]
    public async Task Containerlab_file_is_what_the_generator_writes_from_the_topology()
    {
        var generated = await Shell.RunChecked(Path.Combine(LabFixture.RepoRoot, "lab", "containerlab", "generate.sh"), [], TimeSpan.FromSeconds(30));
        var committed = await File.ReadAllTextAsync(ClabPath);
        Assert.Equal(generated.Output, committed);
    }

    private static string ClabPath => Path.Combine(LabFixture.RepoRoot, "lab", "containerlab", "aether.clab.yml");

    private static YamlMappingNode LoadClab()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(ClabPath);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }
}
