using System.Globalization;

namespace Streams.Operations.Offsets;

/// <summary>How the new offset of each partition is chosen (kafka-consumer-groups' <c>--reset-offsets</c> specifiers).</summary>
public enum ResetSpecifier
{
    /// <summary>The earliest offset still in the log.</summary>
    ToEarliest,

    /// <summary>The log end offset (skip everything).</summary>
    ToLatest,

    /// <summary>The committed offset (the log end where there is none).</summary>
    ToCurrent,

    /// <summary><see cref="OffsetResetRequest.Value"/>, clamped to the log's range.</summary>
    ToOffset,

    /// <summary>The committed offset moved by <see cref="OffsetResetRequest.Value"/> (negative rewinds), clamped.</summary>
    ShiftBy,

    /// <summary>The first record at or after <see cref="OffsetResetRequest.Time"/> (the log end when none is).</summary>
    ToDatetime,

    /// <summary>The offsets of the CSV plan in <see cref="OffsetResetRequest.PlanFile"/>.</summary>
    FromFile,
}

/// <summary>One topic of a reset's scope: the topic, and its listed partitions or (null) all of them.</summary>
/// <param name="Topic">Topic name.</param>
/// <param name="Partitions">The partitions to reset; null for every partition of the topic.</param>
public sealed record TopicScope(string Topic, IReadOnlyList<int>? Partitions)
{
    /// <summary>Reads Kafka's scope syntax: <c>topic</c> (all partitions) or <c>topic:0,1</c>.</summary>
    /// <returns>False when a partition list follows no topic, is empty, or holds something that is not a partition number.</returns>
    public static bool TryParse(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TopicScope? scope)
    {
        ArgumentNullException.ThrowIfNull(value);
        scope = null;
        var colon = value.LastIndexOf(':');
        if (colon < 0)
        {
            scope = new TopicScope(value, null);
            return true;
        }

        var partitions = new List<int>();
        foreach (var part in value[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
            {
                return false;
            }

            partitions.Add(partition);
        }

        if (colon == 0 || partitions.Count == 0)
        {
            return false;
        }

        scope = new TopicScope(value[..colon], partitions);
        return true;
    }
}

/// <summary>A validated reset request: which partitions, how their new offsets are chosen, and whether to apply them.</summary>
/// <param name="Scopes">The topics (and partitions) to reset; null for every topic the group has offsets on (or a plan file's).</param>
/// <param name="Specifier">How new offsets are chosen.</param>
/// <param name="Value">The offset of <see cref="ResetSpecifier.ToOffset"/> or the shift of <see cref="ResetSpecifier.ShiftBy"/>.</param>
/// <param name="Time">The time of <see cref="ResetSpecifier.ToDatetime"/>.</param>
/// <param name="PlanFile">The CSV plan of <see cref="ResetSpecifier.FromFile"/>.</param>
/// <param name="Execute">Apply the plan; otherwise it is only computed.</param>
/// <param name="ExportFile">Where to also write the plan as CSV, or null.</param>
public sealed record OffsetResetRequest(
    IReadOnlyList<TopicScope>? Scopes,
    ResetSpecifier Specifier,
    long Value,
    DateTimeOffset Time,
    string? PlanFile,
    bool Execute,
    string? ExportFile);
