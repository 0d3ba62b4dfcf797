namespace Streams.Cli.Commands.Perf;

/// <summary>Throughput and latency percentiles of one perf run, as both perf commands report them.</summary>
internal sealed record LatencySummary(long Messages, long Bytes, double Seconds, double MessagesPerSecond, double MegabytesPerSecond, double? P50Ms, double? P95Ms, double? P99Ms, double? MaxMs)
{
    public static LatencySummary From(long messages, long bytes, TimeSpan elapsed, List<double> latenciesMs)
    {
        latenciesMs.Sort();
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        return new LatencySummary(messages, bytes, Math.Round(elapsed.TotalSeconds, 3),
            Math.Round(messages / seconds, 1), Math.Round(bytes / seconds / (1024 * 1024), 3),
            Percentile(latenciesMs, 0.50), Percentile(latenciesMs, 0.95), Percentile(latenciesMs, 0.99),
            latenciesMs.Count == 0 ? null : Math.Round(latenciesMs[^1], 2));
    }

    public string Describe() =>
        FormattableString.Invariant($"{Messages} messages, {Bytes} bytes in {Seconds:0.000} s: {MessagesPerSecond:0.0} msg/s, {MegabytesPerSecond:0.000} MB/s; latency ms p50 {P50Ms} p95 {P95Ms} p99 {P99Ms} max {MaxMs}");

    // Nearest-rank percentile, as the Kafka perf tools report.
    private static double? Percentile(List<double> sorted, double quantile) =>
        sorted.Count == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)], 2);
}
