using Streams.Registry.Model;

namespace Streams.Registry.Compatibility;

/// <summary>Applies a compatibility level: which earlier versions to check, and in which direction.</summary>
internal static class CompatibilityChecker
{
    /// <summary>
    /// Reasons <paramref name="candidate"/> may not follow <paramref name="previous"/> (oldest first) under
    /// <paramref name="level"/>; empty when it may. BACKWARD: the candidate reads old data; FORWARD: old readers
    /// read the candidate's data; FULL: both. Non-transitive levels compare with the latest version only.
    /// </summary>
    public static List<string> Check(CompatibilityLevel level, Avro.Schema candidate, IReadOnlyList<(int Version, Avro.Schema Schema)> previous) =>
        Check(level, candidate, previous, (reader, writer) => SchemaResolution.Check(reader, writer).Select(p => p.ToString()));

    /// <summary>As the Avro overload, for any format: <paramref name="readerAccepts"/> lists why a reader cannot read a writer's data.</summary>
    public static List<string> Check<TSchema>(CompatibilityLevel level, TSchema candidate, IReadOnlyList<(int Version, TSchema Schema)> previous, Func<TSchema, TSchema, IEnumerable<string>> readerAccepts)
    {
        var messages = new List<string>();
        if (level == CompatibilityLevel.None || previous.Count == 0)
        {
            return messages;
        }

        var against = level.IsTransitive() ? previous.Reverse() : previous.TakeLast(1);
        foreach (var (version, old) in against)
        {
            if (level.ChecksBackward())
            {
                messages.AddRange(readerAccepts(candidate, old).Select(p => $"{p} (new schema reading data written with version {version})"));
            }

            if (level.ChecksForward())
            {
                messages.AddRange(readerAccepts(old, candidate).Select(p => $"{p} (version {version} reading data written with the new schema)"));
            }
        }

        if (messages.Count > 0)
        {
            messages.Add($"{{compatibility: '{level.ToWireName()}'}}");
        }

        return messages;
    }
}
