using System.Runtime.InteropServices;

namespace Aether.Agent.State;

/// <summary>fsync of a directory, which .NET does not offer: it makes a rename inside it durable.</summary>
internal static partial class NativeFile
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux

    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = Open(path, ReadOnly | Directory);
        if (fd < 0)
        {
            return;
        }
        try
        {
            _ = FSync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int FSync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
