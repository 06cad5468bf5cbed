using System.Diagnostics;
using System.Net;

namespace Aether.TestUtilities;

/// <summary>Runs FreeRADIUS's radclient, e.g. to send CoA-Request and Disconnect-Request to a server under test.</summary>
public static class FreeRadiusRadclient
{
    public const string Path = "/usr/bin/radclient";

    /// <param name="attributes">Attribute list as radclient reads it on stdin: <c>Acct-Session-Id = "s1", ...</c>.</param>
    /// <param name="command">auth, acct, status, coa or disconnect.</param>
    /// <returns>radclient's exit code and what it printed (with -x).</returns>
    public static async Task<(int ExitCode, string Output)> SendAsync(string attributes, IPEndPoint target, string command, string secret, TimeSpan timeout, int retries = 1)
    {
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-x", "-t", Math.Max(1, (int)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-r", retries.ToString(System.Globalization.CultureInfo.InvariantCulture), target.ToString(), command, secret,
        })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start radclient.");
        await process.StandardInput.WriteLineAsync(attributes);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout * (retries + 1) + TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException("radclient did not exit.");
        }

        return (process.ExitCode, await output + await error);
    }
}
