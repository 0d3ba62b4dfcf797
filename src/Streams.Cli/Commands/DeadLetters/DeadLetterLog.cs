using System.CommandLine;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Cli.Commands.Records;
using Streams.Cli.Infrastructure;
using Streams.Messaging.Consuming;
using Streams.Messaging.Events;
using Streams.Operations.Cluster;

namespace Streams.Cli.Commands.DeadLetters;

/// <summary>One record of the dead-letter topic with what its <c>dlq-*</c> headers say about it.</summary>
internal sealed record DeadLetterEntry(int Partition, long Offset, DateTime Time, byte[]? Key, byte[]? Value, Headers Headers)
{
    public string Position => string.Create(CultureInfo.InvariantCulture, $"{Partition}:{Offset}");

    public string? Group => Header(DeadLetterHeaders.GroupId);

    public string? Reason => Header(DeadLetterHeaders.Reason);

    public string? Exception => Header(DeadLetterHeaders.Exception);

    public string? OriginalTopic => Header(DeadLetterHeaders.Topic);

    public string? Original => string.Create(CultureInfo.InvariantCulture, $"{OriginalTopic}/{Header(DeadLetterHeaders.Partition)}@{Header(DeadLetterHeaders.Offset)}");

    public string? EventId => EventMetadata.ReadFrom(Headers)?.Id;

    public string? EventType => EventMetadata.ReadFrom(Headers)?.Type;

    public string? Header(string name) => Headers.TryGetLastBytes(name, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : null;
}

/// <summary>Reads the dead-letter topic as it is now, and the options every dead-letters command filters by.</summary>
internal sealed class DeadLetterLog
{
    public Option<string> Topic { get; } = new("--dlq-topic") { Description = "The dead-letter topic", DefaultValueFactory = _ => "dead-letters" };

    public Option<string?> Group { get; } = new("--group", "-g") { Description = "Only dead letters of this consumer group or Streamiz application" };

    public Option<string?> Reason { get; } = new("--reason") { Description = "Only this reason (deserialization-failed, handler-failed, handler-failed-after-retries, production-failed)" };

    public Option<string?> OriginalTopic { get; } = new("--original-topic") { Description = "Only dead letters read from (or bound for) this topic" };

    public Option<DateTimeOffset?> Since { get; } = new("--since") { Description = "Only dead letters written at or after this ISO 8601 time" };

    public Option<DateTimeOffset?> Until { get; } = new("--until") { Description = "Only dead letters written before this ISO 8601 time" };

    public void AddTo(Command command)
    {
        command.Add(Topic);
        command.Add(Group);
        command.Add(Reason);
        command.Add(OriginalTopic);
        command.Add(Since);
        command.Add(Until);
    }

    /// <summary>The dead letters the filters select, in partition and offset order, up to the log's end when called.</summary>
    public async Task<List<DeadLetterEntry>> ReadAsync(ParseResult parse, CliSession session, CancellationToken cancellationToken)
    {
        var all = await ReadAllAsync(session, parse.GetValue(Topic)!, cancellationToken).ConfigureAwait(false);
        var group = parse.GetValue(Group);
        var reason = parse.GetValue(Reason);
        var original = parse.GetValue(OriginalTopic);
        var since = parse.GetValue(Since);
        var until = parse.GetValue(Until);
        return [.. all.Where(d => (group is null || d.Group == group) && (reason is null || d.Reason == reason)
            && (original is null || d.OriginalTopic == original)
            && (since is null || d.Time >= since.Value.UtcDateTime) && (until is null || d.Time < until.Value.UtcDateTime))];
    }

    public static async Task<List<DeadLetterEntry>> ReadAllAsync(CliSession session, string topic, CancellationToken cancellationToken)
    {
        using var admin = session.CreateAdmin();
        var partitions = await ClusterQueries.PartitionsAsync(admin, topic).ConfigureAwait(false);
        var end = await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.Latest()).ConfigureAwait(false);
        var begin = await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.Earliest()).ConfigureAwait(false);
        var pending = partitions.Where(p => begin[p] < end[p]).ToHashSet();
        var letters = new List<DeadLetterEntry>();
        if (pending.Count == 0)
        {
            return letters;
        }

        using var reader = LogReader.Create(session, "dead-letters");
        reader.Assign(pending.Select(p => new TopicPartitionOffset(p, begin[p])));
        try
        {
            while (pending.Count > 0 && !cancellationToken.IsCancellationRequested)
            {
                var record = reader.Consume(TimeSpan.FromMilliseconds(100));
                if (record is null)
                {
                    continue;
                }

                if (!record.IsPartitionEOF && record.Offset.Value < end[record.TopicPartition])
                {
                    letters.Add(new DeadLetterEntry(record.Partition.Value, record.Offset.Value, record.Message.Timestamp.UtcDateTime, record.Message.Key, record.Message.Value, record.Message.Headers ?? []));
                }

                if (record.IsPartitionEOF || record.Offset.Value + 1 >= end[record.TopicPartition])
                {
                    pending.Remove(record.TopicPartition);
                }
            }
        }
        finally
        {
            reader.Close();
        }

        return [.. letters.OrderBy(d => d.Partition).ThenBy(d => d.Offset)];
    }
}
