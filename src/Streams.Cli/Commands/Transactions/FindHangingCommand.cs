using System.CommandLine;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Transactions;

/// <summary>
/// <c>streams transactions find-hanging [--topic T] [--max-transaction-timeout MINUTES]</c>: transactions open at a
/// partition (DescribeProducers) for longer than the longest allowed transaction timeout whose producer no coordinator
/// still tracks with that partition. They hold the last stable offset back forever, so read_committed consumers stall;
/// <c>abort</c> ends them (kafka-transactions.sh find-hanging).
/// </summary>
internal static class FindHangingCommand
{
    private static readonly HashSet<string> OpenStates = new(["Ongoing", "PrepareCommit", "PrepareAbort"], StringComparer.Ordinal);

    public static Command Create(CliEnvironment cli)
    {
        var topic = new Option<string?>("--topic") { Description = "Only this topic (default: every topic but internal ones)" };
        var maxTimeout = new Option<int>("--max-transaction-timeout") { Description = "Minutes a transaction may stay open (transaction.max.timeout.ms)", DefaultValueFactory = _ => 15 };
        var command = new Command("find-hanging", "Find transactions left open at partitions that no coordinator will end") { topic, maxTimeout };
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            using var cluster = await TransactionCluster.OpenAsync(session, cancellationToken).ConfigureAwait(false);
            var name = parse.GetValue(topic);
            var topics = cluster.Metadata.Topics.Where(t => name is null ? !t.Topic.StartsWith("__", StringComparison.Ordinal) : t.Topic == name).ToList();
            if (name is not null && topics.Count == 0)
            {
                throw CliException.Usage($"Topic '{name}' does not exist.");
            }

            // Open transactions older than the limit, asked of each partition's leader.
            var olderThan = DateTimeOffset.UtcNow.AddMinutes(-parse.GetValue(maxTimeout)).ToUnixTimeMilliseconds();
            var candidates = new List<Candidate>();
            foreach (var byLeader in topics.SelectMany(t => t.Partitions.Select(p => (t.Topic, p.PartitionId, p.Leader))).GroupBy(p => p.Leader))
            {
                var request = new DescribeProducersRequest
                {
                    Topics = [.. byLeader.GroupBy(p => p.Topic).Select(t => new DescribeProducersRequest.TopicRequest { Name = t.Key, PartitionIndexes = [.. t.Select(p => p.PartitionId)] })],
                };
                var response = await cluster.SendAsync<DescribeProducersRequest, DescribeProducersResponse>(byLeader.Key, request, 0).ConfigureAwait(false);
                candidates.AddRange(response.Topics.SelectMany(t => t.Partitions.Where(p => p.ErrorCode == ErrorCode.None).SelectMany(p => p.ActiveProducers
                    .Where(s => s.CurrentTxnStartOffset >= 0 && s.LastTimestamp <= olderThan)
                    .Select(s => new Candidate(t.Name, p.PartitionIndex, s.ProducerId, (short)s.ProducerEpoch, s.CoordinatorEpoch, s.CurrentTxnStartOffset, s.LastTimestamp)))));
            }

            // Not hanging: a coordinator still has the producer's transaction open with this partition in it.
            var tracked = new HashSet<(long, string, int)>();
            if (candidates.Count > 0)
            {
                foreach (var (listed, _) in (await cluster.ListAsync([.. candidates.Select(c => c.ProducerId).Distinct()]).ConfigureAwait(false)).Where(t => OpenStates.Contains(t.Transaction.TransactionState)))
                {
                    var (state, _) = await cluster.DescribeAsync(listed.TransactionalId).ConfigureAwait(false);
                    foreach (var t in state.Topics)
                    {
                        tracked.UnionWith(t.Partitions.Select(p => (state.ProducerId, t.Topic, p)));
                    }
                }
            }

            var hanging = candidates.Where(c => !tracked.Contains((c.ProducerId, c.Topic, c.Partition)))
                .OrderBy(c => c.Topic, StringComparer.Ordinal).ThenBy(c => c.Partition).ThenBy(c => c.ProducerId).ToList();
            var table = new TextTable("TOPIC", "PARTITION", "PRODUCER-ID", "PRODUCER-EPOCH", "COORDINATOR-EPOCH", "START-OFFSET", "LAST-TIMESTAMP");
            hanging.ForEach(h => table.Add(h.Topic, h.Partition, h.ProducerId, h.ProducerEpoch, h.CoordinatorEpoch, h.StartOffset,
                DateTimeOffset.FromUnixTimeMilliseconds(h.LastTimestamp).ToString("u", System.Globalization.CultureInfo.InvariantCulture)));
            await session.WriteAsync(hanging, table).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private sealed record Candidate(string Topic, int Partition, long ProducerId, short ProducerEpoch, int CoordinatorEpoch, long StartOffset, long LastTimestamp);
}
