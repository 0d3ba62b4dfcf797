using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.Perf;

[Collection(ClusterCollection.Name)]
public sealed class PerfTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Produce_then_consume_report_throughput_and_latency_percentiles()
    {
        var topic = "perf-" + Guid.NewGuid().ToString("N")[..8];
        await cluster.CreateTopicAsync(topic, 2);

        var produced = await cluster.RunAsync("perf", "produce", topic, "-n", "3000", "--size", "64", "--acks", "1", "-o", "json");
        var consumed = await cluster.RunAsync("perf", "consume", topic, "-o", "json");
        var paced = await cluster.RunAsync("perf", "produce", topic, "-n", "30", "--rate", "20");

        Assert.True(produced.ExitCode == 0, produced.ToString());
        var result = produced.Json.GetProperty("result");
        Assert.Equal(3000, result.GetProperty("messages").GetInt64());
        Assert.Equal(3000 * 64, result.GetProperty("bytes").GetInt64());
        Assert.True(result.GetProperty("p99Ms").GetDouble() >= result.GetProperty("p50Ms").GetDouble());
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        Assert.Equal(3000, consumed.Json.GetProperty("result").GetProperty("messages").GetInt64());
        // Every record was there before the consumer started: their age is not a latency, and none is reported.
        Assert.Equal(0, consumed.Json.GetProperty("latencyRecords").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, consumed.Json.GetProperty("result").GetProperty("p50Ms").ValueKind);
        Assert.True(paced.ExitCode == 0, paced.ToString());
        Assert.Contains("msg/s", paced.Output, StringComparison.Ordinal);
        Assert.Contains("perf produce: acknowledged", paced.Error, StringComparison.Ordinal); // 30 at 20/s: progress after a second
    }
}
