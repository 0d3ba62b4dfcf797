using System.CommandLine;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Transactions;

/// <summary>
/// <c>streams transactions describe &lt;transactional-id&gt;</c>: state, producer id and epoch, timeout, start time and
/// the partitions of the open transaction, asked of its coordinator (kafka-transactions.sh describe).
/// </summary>
internal static class DescribeCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var id = new NameArgument("transactional-id", "--transactional-id", "Transactional id");
        var command = new Command("describe", "Show a transaction's state, producer, timeout and partitions");
        id.AddTo(command);
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            using var cluster = await TransactionCluster.OpenAsync(session, cancellationToken).ConfigureAwait(false);
            var (state, coordinator) = await cluster.DescribeAsync(id.Read(parse)).ConfigureAwait(false);
            var partitions = state.Topics.SelectMany(t => t.Partitions.Select(p => new { topic = t.Topic, partition = p })).ToList();
            DateTimeOffset? started = state.TransactionStartTimeMs >= 0 ? DateTimeOffset.FromUnixTimeMilliseconds(state.TransactionStartTimeMs) : null;
            var json = new
            {
                transactionalId = state.TransactionalId,
                coordinator,
                state = state.TransactionState,
                producerId = state.ProducerId,
                producerEpoch = state.ProducerEpoch,
                timeoutMs = state.TransactionTimeoutMs,
                startTime = started,
                partitions,
            };
            await session.WriteAsync(json, async writer =>
            {
                var table = new TextTable("TRANSACTIONAL-ID", "COORDINATOR", "STATE", "PRODUCER-ID", "EPOCH", "TIMEOUT-MS", "START-TIME", "PARTITIONS");
                table.Add(json.transactionalId, coordinator, json.state, json.producerId, json.producerEpoch, json.timeoutMs, started?.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
                    string.Join(",", partitions.Select(p => $"{p.topic}-{p.partition}")));
                await table.WriteToAsync(writer).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
