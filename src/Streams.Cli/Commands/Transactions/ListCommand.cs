using System.CommandLine;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Transactions;

/// <summary><c>streams transactions list</c>: every transactional id the coordinators know, its producer and state (kafka-transactions.sh list).</summary>
internal static class ListCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var command = new Command("list", "List transactional ids with their producer id, state and coordinator");
        cli.SetAction(command, async (_, session, cancellationToken) =>
        {
            using var cluster = await TransactionCluster.OpenAsync(session, cancellationToken).ConfigureAwait(false);
            var rows = (await cluster.ListAsync().ConfigureAwait(false))
                .OrderBy(t => t.Transaction.TransactionalId, StringComparer.Ordinal)
                .Select(t => new { transactionalId = t.Transaction.TransactionalId, producerId = t.Transaction.ProducerId, state = t.Transaction.TransactionState, coordinator = t.Coordinator })
                .ToList();
            var table = new TextTable("TRANSACTIONAL-ID", "PRODUCER-ID", "STATE", "COORDINATOR");
            rows.ForEach(r => table.Add(r.transactionalId, r.producerId, r.state, r.coordinator));
            await session.WriteAsync(rows, table).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
