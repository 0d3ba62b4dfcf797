using System.Globalization;
using System.Text;

namespace Streams.Consumers.Notifications;

/// <summary>
/// Where a client's stream stands: per topic partition, the next offset it has not been told about. Sent as the SSE
/// <c>id</c> of every event (<c>orders:0:13,orders:1:5,security-alerts:0:4</c>), so a client that reconnects with
/// <c>Last-Event-ID</c> resumes exactly after the last event it received.
/// </summary>
public sealed class NotificationPosition
{
    private readonly SortedDictionary<(string Topic, int Partition), long> _next = [];

    /// <summary>The partitions and next offsets, in a stable order.</summary>
    public IReadOnlyDictionary<(string Topic, int Partition), long> Next => _next;

    /// <summary>The next offset of <paramref name="topic"/>-<paramref name="partition"/>, or null when the position does not name it.</summary>
    public long? NextOf(string topic, int partition) => _next.TryGetValue((topic, partition), out var next) ? next : null;

    /// <summary>Sets the next offset of a partition.</summary>
    public void Set(string topic, int partition, long next) => _next[(topic, partition)] = next;

    /// <summary>Moves past a record; never backwards.</summary>
    public void Advance(string topic, int partition, long offset)
    {
        if (NextOf(topic, partition) is not { } next || offset + 1 > next)
        {
            _next[(topic, partition)] = offset + 1;
        }
    }

    /// <summary>True when the record at <paramref name="offset"/> is before this position (already told, or skipped).</summary>
    public bool IsBefore(string topic, int partition, long offset) => NextOf(topic, partition) is { } next && offset < next;

    /// <summary>The compact text form (the SSE event id).</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var ((topic, partition), next) in _next)
        {
            text.Append(text.Length == 0 ? "" : ",").Append(topic).Append(':').Append(partition.ToString(CultureInfo.InvariantCulture)).Append(':').Append(next.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>Reads the text form; null when <paramref name="text"/> is not one (a client's id from elsewhere).</summary>
    public static NotificationPosition? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var position = new NotificationPosition();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kafka topic names hold no ':' (only letters, digits, '.', '_', '-').
            var parts = entry.Split(':');
            if (parts.Length != 3 || parts[0].Length == 0
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var next))
            {
                return null;
            }

            position.Set(parts[0], partition, next);
        }

        return position;
    }

    /// <summary>True when both name the same partitions with the same next offsets.</summary>
    public bool SameAs(NotificationPosition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (_next.Count != other._next.Count)
        {
            return false;
        }

        foreach (var (partition, next) in _next)
        {
            if (!other._next.TryGetValue(partition, out var theirs) || theirs != next)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An independent copy.</summary>
    public NotificationPosition Copy()
    {
        var copy = new NotificationPosition();
        foreach (var ((topic, partition), next) in _next)
        {
            copy.Set(topic, partition, next);
        }

        return copy;
    }
}
