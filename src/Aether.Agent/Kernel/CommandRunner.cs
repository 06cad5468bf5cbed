using System.Diagnostics;
using System.Text;

namespace Aether.Agent.Kernel;

/// <summary>
/// Runs nft, tc and ip with a script on standard input: one process per batch, never per subscriber.
/// With a namespace, commands run inside it through `ip netns exec` (the agent itself runs inside its
/// BNG's namespace and uses none).
/// </summary>
internal sealed class CommandRunner(string? networkNamespace = null)
{
    public string? Namespace { get; } = networkNamespace;

    public async Task<CommandResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Namespace is null ? fileName : "ip")
        {
            RedirectStandardInput = standardInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (Namespace is not null)
        {
            start.ArgumentList.Add("netns");
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(Namespace);
            start.ArgumentList.Add(fileName);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }
        await process.WaitForExitAsync(cancellationToken);
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }
}

internal readonly record struct CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
