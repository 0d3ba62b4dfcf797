using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Streams.Operations.Cluster;

/// <summary>
/// Reads a position in a topic's partitions as commands accept it: <c>beginning</c>, <c>end</c>, an offset (the same
/// for every partition, clamped to the log), or an ISO 8601 time (the first record at or after it; the log end when
/// none is).
/// </summary>
public static class LogPositions
{
    /// <summary>The offset <paramref name="position"/> means in each of <paramref name="partitions"/>.</summary>
    /// <param name="admin">Admin client.</param>
    /// <param name="partitions">Partitions of one topic.</param>
    /// <param name="position"><c>beginning</c>, <c>end</c>, an offset or an ISO 8601 time.</param>
    /// <param name="option">What the position was given as (<c>--from</c>), for the error message.</param>
    /// <exception cref="InvalidRequestException"><paramref name="position"/> is none of the four forms.</exception>
    /// <exception cref="OperationFailedException">The partitions' offsets could not be read.</exception>
    public static async Task<Dictionary<TopicPartition, long>> ResolveAsync(IAdminClient admin, IReadOnlyList<TopicPartition> partitions, string position, string option)
    {
        var earliest = await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.Earliest()).ConfigureAwait(false);
        var latest = await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.Latest()).ConfigureAwait(false);
        if (partitions.Any(p => !earliest.ContainsKey(p) || !latest.ContainsKey(p)))
        {
            throw new OperationFailedException($"Could not read the offsets of {partitions[0].Topic}.");
        }

        if (position.Equals("beginning", StringComparison.OrdinalIgnoreCase))
        {
            return earliest;
        }

        if (position.Equals("end", StringComparison.OrdinalIgnoreCase))
        {
            return latest;
        }

        if (long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return partitions.ToDictionary(p => p, p => Math.Clamp(offset, earliest[p], latest[p]));
        }

        if (DateTimeOffset.TryParse(position, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            var byTime = await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.ForTimestamp(time.ToUnixTimeMilliseconds())).ConfigureAwait(false);
            return partitions.ToDictionary(p => p, p => byTime.GetValueOrDefault(p, -1) is >= 0 and var found ? found : latest[p]);
        }

        throw new InvalidRequestException($"{option} expects beginning, end, an offset or an ISO 8601 time, got '{position}'");
    }
}
