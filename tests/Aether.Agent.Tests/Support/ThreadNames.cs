namespace Aether.Agent.Tests.Support;

/// <summary>The names of a process's threads as the kernel knows them (/proc/PID/task/TID/comm, at most 15 characters).</summary>
internal static class ThreadNames
{
    public static IReadOnlyList<string> Of(int pid)
    {
        var names = new List<string>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                names.Add(File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The thread ended while the list was read.
            }
        }
        return names;
    }

    public static IReadOnlyList<string> OfThisProcess() => Of(Environment.ProcessId);
}
