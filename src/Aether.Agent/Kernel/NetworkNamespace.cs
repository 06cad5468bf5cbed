using System.Runtime.InteropServices;

namespace Aether.Agent.Kernel;

/// <summary>
/// Moves the calling thread into a named network namespace (`ip netns`), so that the netlink sockets it opens
/// program or read that namespace's kernel: the agent's tests and benchmarks work on namespaces they are not in.
/// </summary>
internal static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    /// <exception cref="IOException">The namespace does not exist or cannot be entered.</exception>
    public static void EnterOnThisThread(string name)
    {
        using var handle = File.OpenHandle(Path.Combine("/var/run/netns", name), FileMode.Open, FileAccess.Read);
        if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"setns into network namespace {name} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);
}
