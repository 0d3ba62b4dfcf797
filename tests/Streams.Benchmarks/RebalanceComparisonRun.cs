namespace Streams.Benchmarks;

/// <summary>
/// The same rebalance measured with both group protocols in one run: 3 members read a 12-partition topic a
/// producer keeps writing to, a fourth subscribes, and the time until every member consumes under the new
/// assignment is taken. Both protocols get the same heartbeat interval (the classic one set on the clients, the
/// KIP-848 one by the broker), since members learn of a change from their next heartbeat in both.
/// </summary>
internal static class RebalanceComparisonRun
{
    public static async Task RunAsync(int members, int repeats, int heartbeatIntervalMs)
    {
        await using var broker = await BrokerProcess.StartAsync([$"group.consumer.heartbeat.interval.ms={heartbeatIntervalMs}"]).ConfigureAwait(false);
        var classic = await GroupRun.MeasureRebalanceAsync(broker.BootstrapServers, members, repeats, heartbeatIntervalMs).ConfigureAwait(false);
        var modern = await GroupRun.MeasureRebalanceAsync(broker.BootstrapServers, members, repeats, heartbeatIntervalMs, consumerProtocol: true).ConfigureAwait(false);
        Console.WriteLine(
            $"rebalance {members}->{members + 1} members, 12 partitions, heartbeat {heartbeatIntervalMs} ms, {repeats} samples: " +
            $"classic median {classic.Median.TotalMilliseconds:N0} ms (max {classic.Max.TotalMilliseconds:N0}), " +
            $"KIP-848 median {modern.Median.TotalMilliseconds:N0} ms (max {modern.Max.TotalMilliseconds:N0})");
    }
}
