namespace Streams.Benchmarks;

/// <summary>
/// How long this process's threads ran on a CPU, and how long they were ready to run but waited for one (Linux
/// <c>/proc/self/task/*/schedstat</c>), summed per kind of thread (<see cref="KindOf"/>). On a machine the benchmark
/// saturates, the waiting tells a thread's CPU share from its own cost, and the running where the CPU goes per event;
/// elsewhere the snapshot is empty. A thread that ends between two snapshots is missing from the difference.
/// </summary>
internal sealed class ThreadSchedule
{
    /// <summary>The kind of the topology's stream threads (Streamiz names them after the client id, streams-worker/...).</summary>
    public const string StreamThread = "stream thread";

    private readonly Dictionary<string, (TimeSpan Running, TimeSpan Waiting)> _kinds;

    private ThreadSchedule(Dictionary<string, (TimeSpan Running, TimeSpan Waiting)> kinds) => _kinds = kinds;

    /// <summary>Kinds in the order they are reported.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [StreamThread, "thread pool", "librdkafka", "consume loops", "benchmark loops", "GC", "JIT", "other"];

    /// <summary>
    /// Thread names (Linux keeps 15 characters): the pool runs the embedded broker and registry, the publisher and the
    /// consumer groups' handlers; librdkafka's threads do every client's network and batching work.
    /// </summary>
    public static string KindOf(string name) => name switch
    {
        _ when name.StartsWith("streams-worker/", StringComparison.Ordinal) => StreamThread,
        _ when name.StartsWith(".NET TP Worker", StringComparison.Ordinal) || name.StartsWith(".NET ThreadPool", StringComparison.Ordinal) => "thread pool",
        _ when name.StartsWith("rdk:", StringComparison.Ordinal) => "librdkafka",
        _ when name.StartsWith("consume/", StringComparison.Ordinal) => "consume loops",
        _ when name.StartsWith("bench/", StringComparison.Ordinal) => "benchmark loops",
        _ when name.Contains("GC", StringComparison.Ordinal) => "GC",
        _ when name.StartsWith(".NET Tiered", StringComparison.Ordinal) => "JIT",
        _ => "other",
    };

    public (TimeSpan Running, TimeSpan Waiting) this[string kind] => _kinds.GetValueOrDefault(kind);

    public bool IsEmpty => _kinds.Count == 0;

    public static ThreadSchedule Now()
    {
        var kinds = new Dictionary<string, (TimeSpan Running, TimeSpan Waiting)>(StringComparer.Ordinal);
        if (!Directory.Exists("/proc/self/task"))
        {
            return new ThreadSchedule(kinds);
        }

        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var kind = KindOf(File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'));
                // "<ns on cpu> <ns waiting on a run queue> <time slices>"
                var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var (running, waiting) = kinds.GetValueOrDefault(kind);
                kinds[kind] = (running + Nanoseconds(fields[0]), waiting + Nanoseconds(fields[1]));
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }

        return new ThreadSchedule(kinds);
    }

    public static ThreadSchedule operator -(ThreadSchedule after, ThreadSchedule before) =>
        new(after._kinds.ToDictionary(k => k.Key, k => (k.Value.Running - before[k.Key].Running, k.Value.Waiting - before[k.Key].Waiting), StringComparer.Ordinal));

    private static TimeSpan Nanoseconds(string value) =>
        TimeSpan.FromTicks(long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) / 100);
}
