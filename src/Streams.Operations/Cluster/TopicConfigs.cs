using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Streams.Operations.Cluster;

/// <summary>DescribeConfigs and IncrementalAlterConfigs for topics, keyed by topic name.</summary>
public static class TopicConfigs
{
    /// <summary>Every config entry of each of <paramref name="topics"/>, defaults included.</summary>
    public static async Task<Dictionary<string, List<ConfigEntryResult>>> DescribeAsync(IAdminClient admin, IEnumerable<string> topics)
    {
        var resources = topics.Select(t => new ConfigResource { Type = ResourceType.Topic, Name = t }).ToList();
        if (resources.Count == 0)
        {
            return [];
        }

        var results = await admin.DescribeConfigsAsync(resources, new DescribeConfigsOptions { RequestTimeout = ClusterQueries.Timeout }).ConfigureAwait(false);
        return results.ToDictionary(r => r.ConfigResource.Name, r => r.Entries.Values.ToList());
    }

    /// <summary>
    /// Sets and deletes only the named configs. Incremental, unlike AlterConfigs, which would reset every config
    /// not in the request to its default.
    /// </summary>
    public static Task AlterAsync(IAdminClient admin, string topic, IReadOnlyDictionary<string, string> set, IEnumerable<string> delete)
    {
        var entries = set.Select(c => new ConfigEntry { Name = c.Key, Value = c.Value, IncrementalOperation = AlterConfigOpType.Set })
            .Concat(delete.Select(name => new ConfigEntry { Name = name, Value = "", IncrementalOperation = AlterConfigOpType.Delete }))
            .ToList();
        return entries.Count == 0
            ? Task.CompletedTask
            : admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [new ConfigResource { Type = ResourceType.Topic, Name = topic }] = entries,
            });
    }
}
