using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Contracts.Topics;
using Streams.Operations.Cluster;

namespace Streams.Operations.Topics;

/// <summary>
/// Makes the cluster match the topic catalog. Only adds: topics, partitions and the catalog's configs; it never
/// deletes topics or shrinks them (Kafka cannot), it reports that drift as <see cref="TopicChange.CannotFix"/>.
/// Applying the changes a diff found and diffing again finds nothing.
/// </summary>
public static class TopicCatalogSync
{
    /// <summary>What differs between <paramref name="catalog"/> and the cluster, topic by topic in catalog order.</summary>
    public static async Task<List<TopicChange>> DiffAsync(IAdminClient admin, IReadOnlyList<TopicDefinition> catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var metadata = await ClusterQueries.MetadataAsync(admin).ConfigureAwait(false);
        var existing = metadata.Topics.Where(t => !t.Error.IsError).ToDictionary(t => t.Topic, t => t.Partitions.Count);
        var configs = await TopicConfigs.DescribeAsync(admin, catalog.Select(t => t.Name).Where(existing.ContainsKey)).ConfigureAwait(false);
        var changes = new List<TopicChange>();
        foreach (var topic in catalog)
        {
            if (!existing.TryGetValue(topic.Name, out var partitions))
            {
                changes.Add(new TopicChange(topic.Name, TopicChange.Create, $"{topic.Partitions} partitions, {Describe(topic.Configs)}", topic));
                continue;
            }

            if (partitions < topic.Partitions)
            {
                changes.Add(new TopicChange(topic.Name, TopicChange.AddPartitions, $"{partitions} -> {topic.Partitions}", topic));
            }
            else if (partitions > topic.Partitions)
            {
                changes.Add(new TopicChange(topic.Name, TopicChange.CannotFix, $"has {partitions} partitions, the catalog says {topic.Partitions}; Kafka cannot remove partitions", topic));
            }

            var actual = configs[topic.Name].ToDictionary(c => c.Name, c => c.Value);
            foreach (var (name, value) in topic.Configs.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                var current = actual.GetValueOrDefault(name);
                if (current != value)
                {
                    changes.Add(new TopicChange(topic.Name, TopicChange.SetConfig, $"{name}: {current ?? "(unset)"} -> {value}", topic) { ConfigName = name });
                }
            }
        }

        return changes;
    }

    /// <summary>Applies the changes <see cref="DiffAsync"/> found (all but <see cref="TopicChange.CannotFix"/>).</summary>
    public static async Task ApplyAsync(IAdminClient admin, IReadOnlyList<TopicChange> changes)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(changes);
        var creates = changes.Where(c => c.Action == TopicChange.Create).Select(c => new TopicSpecification
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

        var grow = changes.Where(c => c.Action == TopicChange.AddPartitions)
            .Select(c => new PartitionsSpecification { Topic = c.Topic, IncreaseTo = c.Definition.Partitions }).ToList();
        if (grow.Count > 0)
        {
            await admin.CreatePartitionsAsync(grow).ConfigureAwait(false);
        }

        foreach (var topic in changes.Where(c => c.Action == TopicChange.SetConfig).GroupBy(c => c.Definition))
        {
            await TopicConfigs.AlterAsync(admin, topic.Key.Name, topic.ToDictionary(c => c.ConfigName!, c => topic.Key.Configs[c.ConfigName!]), []).ConfigureAwait(false);
        }
    }

    private static string Describe(IReadOnlyDictionary<string, string> configs) =>
        configs.Count == 0 ? "default configs" : string.Join(", ", configs.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
}
