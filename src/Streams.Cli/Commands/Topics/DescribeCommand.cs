using System.CommandLine;
using Confluent.Kafka.Admin;
using Streams.Cli.Infrastructure;
using Streams.Operations.Cluster;

namespace Streams.Cli.Commands.Topics;

/// <summary><c>streams topics describe &lt;topic&gt;</c>: partitions (leader, replicas, offsets) and configs.</summary>
internal static class DescribeCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var topic = new NameArgument("topic", "--topic", "Topic name");
        var allConfigs = new Option<bool>("--all-configs") { Description = "Show every config, not only those set on the topic" };
        var command = new Command("describe", "Show a topic's partitions, offsets and configs") { allConfigs };
        topic.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            var name = topic.Read(parse);
            using var admin = session.CreateAdmin();
            var metadata = await ClusterQueries.MetadataAsync(admin).ConfigureAwait(false);
            var found = metadata.Topics.FirstOrDefault(t => t.Topic == name && !t.Error.IsError)
                ?? throw new CliException($"Topic '{name}' does not exist.");
            var partitions = found.Partitions.OrderBy(p => p.PartitionId).ToList();
            var topicPartitions = partitions.Select(p => new Confluent.Kafka.TopicPartition(name, p.PartitionId)).ToList();
            var earliest = await ClusterQueries.OffsetsAsync(admin, topicPartitions, OffsetSpec.Earliest()).ConfigureAwait(false);
            var latest = await ClusterQueries.OffsetsAsync(admin, topicPartitions, OffsetSpec.Latest()).ConfigureAwait(false);
            var configs = await TopicConfigs.DescribeAsync(admin, [name]).ConfigureAwait(false);
            var shown = configs[name].Where(c => parse.GetValue(allConfigs) || !c.IsDefault)
                .OrderBy(c => c.Name, StringComparer.Ordinal)
                .ToDictionary(c => c.Name, c => c.IsSensitive ? null : c.Value);

            var rows = partitions.Select((p, i) => new
            {
                partition = p.PartitionId,
                leader = p.Leader,
                replicas = p.Replicas,
                isr = p.InSyncReplicas,
                earliestOffset = earliest.TryGetValue(topicPartitions[i], out var first) ? first : (long?)null,
                logEndOffset = latest.TryGetValue(topicPartitions[i], out var end) ? end : (long?)null,
            }).ToList();
            await session.WriteAsync(new { topic = name, partitions = rows, configs = shown }, async writer =>
            {
                await writer.WriteLineAsync($"Topic {name}: {rows.Count} partition(s)").ConfigureAwait(false);
                var table = new TextTable("PARTITION", "LEADER", "REPLICAS", "ISR", "EARLIEST-OFFSET", "LOG-END-OFFSET");
                rows.ForEach(r => table.Add(r.partition, r.leader, string.Join(",", r.replicas), string.Join(",", r.isr), r.earliestOffset, r.logEndOffset));
                await table.WriteToAsync(writer).ConfigureAwait(false);
                await writer.WriteLineAsync().ConfigureAwait(false);
                var configTable = new TextTable("CONFIG", "VALUE");
                foreach (var (key, value) in shown)
                {
                    configTable.Add(key, value ?? "(sensitive)");
                }

                await configTable.WriteToAsync(writer).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
