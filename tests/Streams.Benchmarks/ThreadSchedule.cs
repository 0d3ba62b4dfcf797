namespace Streams.Benchmarks;

/// <summary>
/// How long the threads of this process whose name starts with a prefix ran on a CPU, and how long they were ready to
/// run but waited for one (Linux <c>/proc/self/task/*/schedstat</c>). On a machine the benchmark saturates, the second
/// figure tells a thread's CPU share from its own cost; elsewhere the snapshot is empty.
/// </summary>
internal readonly record struct ThreadSchedule(TimeSpan Running, TimeSpan Waiting)
{
    public static ThreadSchedule Of(string namePrefix)
    {
        long running = 0, waiting = 0;
        if (!Directory.Exists("/proc/self/task"))
        {
            return default;
        }

        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(namePrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                // "<ns on cpu> <ns waiting on a run queue> <time slices>"
                var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                running += long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture);
                waiting += long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }

        return new ThreadSchedule(TimeSpan.FromTicks(running / 100), TimeSpan.FromTicks(waiting / 100));
    }

    public static ThreadSchedule operator -(ThreadSchedule after, ThreadSchedule before) =>
        new(after.Running - before.Running, after.Waiting - before.Waiting);
}
