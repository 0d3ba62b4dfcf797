using Confluent.Kafka;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Records;

/// <summary>
/// The consumer the reading commands (<c>tail</c>, <c>replay</c>, <c>perf consume</c>) share: assigned, never
/// committing, named <c>streams-cli/{command}</c>, and configured to read as fast as the broker serves.
/// </summary>
internal static class LogReader
{
    public static IConsumer<byte[]?, byte[]?> Create(CliSession session, string command)
    {
        var config = new ConsumerConfig(session.ClientProperties(command))
        {
            // A throwaway group: reading a topic must not move anyone's offsets, and assign() needs no membership.
            GroupId = "streams-cli-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
        };

        // librdkafka stops fetching for fetch.queue.backoff.ms (default 1000) every time its local queue holds
        // queued.min.messages; a loop that decodes or prints each record is slower than the fetcher, so it idles a
        // second on each pause (170k msg/s instead of the broker's 600k+). A 10 ms backoff keeps the queue fed.
        // Set in --config to override.
        if (!config.Any(p => p.Key == "fetch.queue.backoff.ms"))
        {
            config.Set("fetch.queue.backoff.ms", "10");
        }

        return new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
    }
}
