using System.CommandLine;
using Streams.Cli.Infrastructure;
using Streams.Operations.Cluster;

namespace Streams.Cli.Commands.Topics;

/// <summary><c>streams topics list</c>: topic names and partition counts.</summary>
internal static class ListCommand
{
    // Kafka's own internal topics are noise in everyday listings; --internal shows them.
    private static readonly HashSet<string> Internal = new(StringComparer.Ordinal) { "__consumer_offsets", "__transaction_state" };

    public static Command Create(CliEnvironment cli)
    {
        var includeInternal = new Option<bool>("--internal") { Description = "Include __consumer_offsets and __transaction_state" };
        var command = new Command("list", "List topics") { includeInternal };
        cli.SetAction(command, async (parse, session, _) =>
        {
            using var admin = session.CreateAdmin();
            var metadata = await ClusterQueries.MetadataAsync(admin).ConfigureAwait(false);
            var topics = metadata.Topics
                .Where(t => parse.GetValue(includeInternal) || !Internal.Contains(t.Topic))
                .OrderBy(t => t.Topic, StringComparer.Ordinal)
                .Select(t => new { topic = t.Topic, partitions = t.Partitions.Count })
                .ToList();
            var table = new TextTable("TOPIC", "PARTITIONS");
            topics.ForEach(t => table.Add(t.topic, t.partitions));
            await session.WriteAsync(topics, table).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
