using System.CommandLine;
using Confluent.Kafka.Admin;
using Streams.Cli.Infrastructure;
using Streams.Contracts.Topics;

namespace Streams.Cli.Commands.Topics;

/// <summary>
/// <c>streams topics apply</c>: makes the cluster match <see cref="TopicCatalog"/>. Prints the difference first and
/// changes nothing without <c>--execute</c>; a second run finds nothing to do. Only adds: topics, partitions and the
/// catalog's configs; it never deletes topics or shrinks them (Kafka cannot), it reports that drift instead.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var execute = new Option<bool>("--execute") { Description = "Apply the changes (default: only print them)" };
        var command = new Command("apply", "Make the cluster's topics match the topic catalog (dry run unless --execute)") { execute };
        cli.SetAction(command, async (parse, session, _) =>
        {
            using var admin = session.CreateAdmin();
            var changes = await DiffAsync(admin, TopicCatalog.All).ConfigureAwait(false);
            var apply = parse.GetValue(execute);
            if (apply)
            {
                await ApplyAsync(admin, changes).ConfigureAwait(false);
            }

            var table = new TextTable("TOPIC", "ACTION", "DETAIL");
            changes.ForEach(c => table.Add(c.Topic, c.Action, c.Detail));
            var unfixable = changes.Count(c => c.Action == Change.CannotFix);
            await session.WriteAsync(new { executed = apply, inSync = changes.Count == 0, changes }, async writer =>
            {
                if (changes.Count == 0)
                {
                    await writer.WriteLineAsync($"All {TopicCatalog.All.Count} catalog topics match the cluster.").ConfigureAwait(false);
                    return;
                }

                await table.WriteToAsync(writer).ConfigureAwait(false);
            }).ConfigureAwait(false);
            if (!apply && changes.Count > unfixable)
            {
                await session.NoteAsync("Dry run: nothing changed. Add --execute to apply.").ConfigureAwait(false);
            }

            return unfixable > 0 && apply ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<List<Change>> DiffAsync(Confluent.Kafka.IAdminClient admin, IReadOnlyList<TopicDefinition> catalog)
    {
        var metadata = await ClusterQueries.MetadataAsync(admin).ConfigureAwait(false);
        var existing = metadata.Topics.Where(t => !t.Error.IsError).ToDictionary(t => t.Topic, t => t.Partitions.Count);
        var configs = await TopicConfigs.DescribeAsync(admin, catalog.Select(t => t.Name).Where(existing.ContainsKey)).ConfigureAwait(false);
        var changes = new List<Change>();
        foreach (var topic in catalog)
        {
            if (!existing.TryGetValue(topic.Name, out var partitions))
            {
                changes.Add(new Change(topic.Name, Change.Create, $"{topic.Partitions} partitions, {Describe(topic.Configs)}", topic));
                continue;
            }

            if (partitions < topic.Partitions)
            {
                changes.Add(new Change(topic.Name, Change.AddPartitions, $"{partitions} -> {topic.Partitions}", topic));
            }
            else if (partitions > topic.Partitions)
            {
                changes.Add(new Change(topic.Name, Change.CannotFix, $"has {partitions} partitions, the catalog says {topic.Partitions}; Kafka cannot remove partitions", topic));
            }

            var actual = configs[topic.Name].ToDictionary(c => c.Name, c => c.Value);
            foreach (var (name, value) in topic.Configs.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                var current = actual.GetValueOrDefault(name);
                if (current != value)
                {
                    changes.Add(new Change(topic.Name, Change.SetConfig, $"{name}: {current ?? "(unset)"} -> {value}", topic) { ConfigName = name });
                }
            }
        }

        return changes;
    }

    private static async Task ApplyAsync(Confluent.Kafka.IAdminClient admin, List<Change> changes)
    {
        var creates = changes.Where(c => c.Action == Change.Create).Select(c => new TopicSpecification
        {
            Name = c.Topic,
            NumPartitions = c.Definition.Partitions,
            ReplicationFactor = -1,
            Configs = new Dictionary<string, string>(c.Definition.Configs),
        }).ToList();
        if (creates.Count > 0)
        {
            await admin.CreateTopicsAsync(creates).ConfigureAwait(false);
        }

        var grow = changes.Where(c => c.Action == Change.AddPartitions)
            .Select(c => new PartitionsSpecification { Topic = c.Topic, IncreaseTo = c.Definition.Partitions }).ToList();
        if (grow.Count > 0)
        {
            await admin.CreatePartitionsAsync(grow).ConfigureAwait(false);
        }

        foreach (var topic in changes.Where(c => c.Action == Change.SetConfig).GroupBy(c => c.Definition))
        {
            await TopicConfigs.AlterAsync(admin, topic.Key.Name, topic.ToDictionary(c => c.ConfigName!, c => topic.Key.Configs[c.ConfigName!]), []).ConfigureAwait(false);
        }
    }

    private static string Describe(IReadOnlyDictionary<string, string> configs) =>
        configs.Count == 0 ? "default configs" : string.Join(", ", configs.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    private sealed record Change(string Topic, string Action, string Detail, [property: System.Text.Json.Serialization.JsonIgnore] TopicDefinition Definition)
    {
        public const string Create = "create";
        public const string AddPartitions = "add-partitions";
        public const string SetConfig = "set-config";
        public const string CannotFix = "cannot-fix";

        [System.Text.Json.Serialization.JsonIgnore]
        public string? ConfigName { get; init; }
    }
}
