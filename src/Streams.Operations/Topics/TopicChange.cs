using System.Text.Json.Serialization;
using Streams.Contracts.Topics;

namespace Streams.Operations.Topics;

/// <summary>One difference between the topic catalog and the cluster, and what <see cref="TopicCatalogSync"/> does about it.</summary>
/// <param name="Topic">Topic name.</param>
/// <param name="Action">One of <see cref="Create"/>, <see cref="AddPartitions"/>, <see cref="SetConfig"/>, <see cref="CannotFix"/>.</param>
/// <param name="Detail">The difference, for a person (<c>3 -> 6</c>, <c>retention.ms: 604800000 -> -1</c>).</param>
/// <param name="Definition">The catalog's definition of the topic.</param>
public sealed record TopicChange(string Topic, string Action, string Detail, [property: JsonIgnore] TopicDefinition Definition)
{
    /// <summary>The topic does not exist: create it as the catalog defines it.</summary>
    public const string Create = "create";

    /// <summary>The topic has fewer partitions than the catalog: add partitions.</summary>
    public const string AddPartitions = "add-partitions";

    /// <summary>A catalog config differs: set it.</summary>
    public const string SetConfig = "set-config";

    /// <summary>Drift Kafka cannot undo (more partitions than the catalog): reported, never changed.</summary>
    public const string CannotFix = "cannot-fix";

    /// <summary>The config a <see cref="SetConfig"/> change sets.</summary>
    [JsonIgnore]
    public string? ConfigName { get; init; }
}
