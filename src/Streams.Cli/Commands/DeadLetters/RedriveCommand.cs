using System.CommandLine;
using System.Text;
using Confluent.Kafka;
using Streams.Cli.Commands.Records;
using Streams.Cli.Infrastructure;
using Streams.Operations.Cluster;

namespace Streams.Cli.Commands.DeadLetters;

/// <summary>
/// <c>streams dead-letters redrive</c>: sends chosen dead letters back to the topic they came from, as they were
/// (key, value, headers, the event's <c>ce_id</c> included) without the <c>dlq-*</c> headers, once their cause is fixed.
/// Idempotent: each redriven record carries <see cref="MarkerHeader"/> naming its dead letter, and a dead letter whose
/// marker is already in the target topic (looked for from the dead letter's time on) is not sent again, so running
/// the same redrive twice sends once. A dry run unless <c>--execute</c>.
/// </summary>
internal static class RedriveCommand
{
    /// <summary>The header naming the dead letter a record was redriven from: <c>{dlq-topic}/{partition}/{offset}</c>.</summary>
    public const string MarkerHeader = "streams-redriven-from";

    public static Command Create(CliEnvironment cli)
    {
        var log = new DeadLetterLog();
        var ids = new Option<string[]>("--dead-letter", "-d") { Description = "partition:offset of a dead letter to redrive; repeatable" };
        var all = new Option<bool>("--all") { Description = "Every dead letter the filters select (without --dead-letter)" };
        var execute = new Option<bool>("--execute") { Description = "Send them (without it: show what would be sent)" };
        var command = new Command("redrive", "Send dead letters back to their original topic, once (dry run unless --execute)") { ids, all, execute };
        log.AddTo(command);
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var chosen = (parse.GetValue(ids) ?? []).Select(DeadLetterSelector.Parse).ToHashSet();
            if (chosen.Count == 0 && !parse.GetValue(all))
            {
                throw CliException.Usage("name the dead letters with --dead-letter partition:offset, or select with filters and --all");
            }

            var dlqTopic = parse.GetValue(log.Topic)!;
            var letters = (await log.ReadAsync(parse, session, cancellationToken).ConfigureAwait(false))
                .Where(d => chosen.Count == 0 || chosen.Contains((d.Partition, d.Offset))).ToList();
            var missing = chosen.Where(c => !letters.Any(d => (d.Partition, d.Offset) == c)).ToList();
            if (missing.Count > 0)
            {
                throw new CliException($"No such dead letter (or filtered out): {string.Join(", ", missing.Select(m => $"{m.Partition}:{m.Offset}"))}");
            }

            if (letters.FirstOrDefault(d => d.OriginalTopic is null) is { } unknown)
            {
                throw new CliException($"Dead letter {unknown.Position} names no original topic ({Messaging.Consuming.DeadLetterHeaders.Topic}).");
            }

            var done = await AlreadyRedrivenAsync(session, dlqTopic, letters, cancellationToken).ConfigureAwait(false);
            var send = parse.GetValue(execute);
            var rows = new List<(DeadLetterEntry Letter, string Action)>();
            using var producer = send ? session.CreateProducer(c =>
            {
                c.EnableIdempotence = true;
                c.Acks = Acks.All;
                c.Partitioner = Partitioner.Murmur2Random; // the key lands where Java clients and Streamiz put it
                c.ClientId = session.ClientProperties("dead-letters-redrive")["client.id"];
            }) : null;
            foreach (var letter in letters)
            {
                var marker = Marker(dlqTopic, letter);
                if (done.Contains(marker))
                {
                    rows.Add((letter, "already-redriven"));
                    continue;
                }

                if (producer is null)
                {
                    rows.Add((letter, "would-send"));
                    continue;
                }

                var headers = new Headers();
                foreach (var header in letter.Headers.Where(h => !h.Key.StartsWith("dlq-", StringComparison.Ordinal) && h.Key != MarkerHeader))
                {
                    headers.Add(header.Key, header.GetValueBytes());
                }

                headers.Add(MarkerHeader, Encoding.UTF8.GetBytes(marker));
                var delivered = await producer.ProduceAsync(letter.OriginalTopic!, new Message<byte[]?, byte[]?> { Key = letter.Key, Value = letter.Value, Headers = headers }, cancellationToken).ConfigureAwait(false);
                rows.Add((letter, $"sent to {delivered.Topic}/{delivered.Partition.Value}@{delivered.Offset.Value}"));
            }

            var table = new TextTable("DEAD-LETTER", "GROUP", "REASON", "ORIGINAL", "EVENT-ID", "ACTION");
            rows.ForEach(r => table.Add(r.Letter.Position, r.Letter.Group, r.Letter.Reason, r.Letter.Original, r.Letter.EventId, r.Action));
            await session.WriteAsync(rows.Select(r => new { deadLetter = r.Letter.Position, group = r.Letter.Group, reason = r.Letter.Reason, original = r.Letter.Original, eventId = r.Letter.EventId, action = r.Action }).ToList(), table).ConfigureAwait(false);
            if (!send)
            {
                await session.NoteAsync("Dry run: nothing sent (add --execute).").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Marker(string dlqTopic, DeadLetterEntry letter) => $"{dlqTopic}/{letter.Partition}/{letter.Offset}";

    /// <summary>
    /// The markers already in the target topics: each topic is read from the earliest chosen dead letter's time (a
    /// redrive comes after its dead letter) to its end.
    /// </summary>
    private static async Task<HashSet<string>> AlreadyRedrivenAsync(CliSession session, string dlqTopic, List<DeadLetterEntry> letters, CancellationToken cancellationToken)
    {
        var markers = new HashSet<string>(StringComparer.Ordinal);
        using var admin = session.CreateAdmin();
        foreach (var target in letters.GroupBy(d => d.OriginalTopic!))
        {
            var partitions = await ClusterQueries.PartitionsAsync(admin, target.Key).ConfigureAwait(false);
            var since = target.Min(d => d.Time).AddSeconds(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            var start = await LogPositions.ResolveAsync(admin, partitions, since, "--since").ConfigureAwait(false);
            var end = await ClusterQueries.OffsetsAsync(admin, partitions, Confluent.Kafka.Admin.OffsetSpec.Latest()).ConfigureAwait(false);
            var pending = partitions.Where(p => start[p] < end[p]).ToHashSet();
            if (pending.Count == 0)
            {
                continue;
            }

            using var reader = LogReader.Create(session, "dead-letters-redrive");
            reader.Assign(pending.Select(p => new TopicPartitionOffset(p, start[p])));
            while (pending.Count > 0 && !cancellationToken.IsCancellationRequested)
            {
                var record = reader.Consume(TimeSpan.FromMilliseconds(100));
                if (record is null)
                {
                    continue;
                }

                if (!record.IsPartitionEOF && record.Message.Headers?.TryGetLastBytes(MarkerHeader, out var marker) == true
                    && Encoding.UTF8.GetString(marker).StartsWith(dlqTopic + "/", StringComparison.Ordinal))
                {
                    markers.Add(Encoding.UTF8.GetString(marker));
                }

                if (record.IsPartitionEOF || record.Offset.Value + 1 >= end[record.TopicPartition])
                {
                    pending.Remove(record.TopicPartition);
                }
            }

            reader.Close();
        }

        return markers;
    }
}
