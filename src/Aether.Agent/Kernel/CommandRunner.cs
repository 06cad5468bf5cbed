using System.Diagnostics;
using System.IO.Pipelines;
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
        using var process = Start(fileName, arguments, standardInput is not null);
        using var output = new StreamReader(ReadOnOwnThread(process.StandardOutput.BaseStream, fileName + " output"));
        using var error = new StreamReader(ReadOnOwnThread(process.StandardError.BaseStream, fileName + " errors"));
        var stdout = output.ReadToEndAsync(cancellationToken);
        var stderr = error.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }
        await process.WaitForExitAsync(cancellationToken);
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a command whose output is large: <paramref name="readOutput"/> reads it as it streams in, never as one string.</summary>
    public async Task<CommandResult> RunStreamingAsync(string fileName, IReadOnlyList<string> arguments, Func<Stream, CancellationToken, Task> readOutput, CancellationToken cancellationToken)
    {
        using var process = Start(fileName, arguments, redirectInput: false);
        using var error = new StreamReader(ReadOnOwnThread(process.StandardError.BaseStream, fileName + " errors"));
        var stderr = error.ReadToEndAsync(cancellationToken);
        await using var output = ReadOnOwnThread(process.StandardOutput.BaseStream, fileName + " output");
        await readOutput(output, cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new CommandResult(process.ExitCode, "", await stderr);
    }

    /// <summary>
    /// A child's output pipe, read on a thread of its own until the child closes it; the stream returned reads from
    /// memory and awaits for real. Reading the pipe itself asynchronously would block a thread-pool worker for every
    /// read on Linux (anonymous pipes have no asynchronous reads): on a 2-core BNG, workers held by tc's and nft's
    /// pipes starved the pool, and every relay and session start waited half a second for it to add one.
    /// </summary>
    internal static Stream ReadOnOwnThread(Stream pipe, string name)
    {
        var buffer = new Pipe();
        var thread = new Thread(() =>
        {
            try
            {
                using var writer = buffer.Writer.AsStream();
                pipe.CopyTo(writer);
                buffer.Writer.Complete();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The child was stopped and its pipe closed under the read: the reader sees the end.
                buffer.Writer.Complete();
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return buffer.Reader.AsStream();
    }

    /// <summary>Starts a command (inside the namespace, if any) with its output and error redirected.</summary>
    internal Process Start(string fileName, IReadOnlyList<string> arguments, bool redirectInput)
    {
        var start = new ProcessStartInfo(Namespace is null ? fileName : "ip")
        {
            RedirectStandardInput = redirectInput,
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
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
    }
}

internal readonly record struct CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
