using System.Diagnostics;
using System.Text;

namespace Aether.Simulator.Hosts;

/// <summary>What a finished command did.</summary>
internal sealed record CommandOutcome(int ExitCode, string Output, TimeSpan Elapsed, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;
}

/// <summary>Runs a command inside a network namespace (<c>ip netns exec</c>), or here when the host is "-".</summary>
internal static class NetnsCommand
{
    public const string RootNamespace = "-";

    public static async Task<CommandOutcome> RunAsync(string host, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(command.Count);
        var info = new ProcessStartInfo(host == RootNamespace ? command[0] : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (host != RootNamespace)
        {
            info.ArgumentList.Add("netns");
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(host);
            info.ArgumentList.Add(command[0]);
        }

        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        var started = Stopwatch.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new CommandOutcome(127, $"{info.FileName}: {e.Message}", TimeSpan.Zero, false);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        bool timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        string text;
        lock (output)
        {
            text = output.ToString();
        }

        return new CommandOutcome(process.ExitCode, text, Stopwatch.GetElapsedTime(started), timedOut);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            // Enough to say why a command failed; traffic tools can print a lot.
            if (output.Length < 8192)
            {
                output.AppendLine(line);
            }
        }
    }
}
