using System.CommandLine;
using Avro.Specific;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streams.Cli.Infrastructure;
using Streams.Consumers;
using Streams.Consumers.Notifications;
using Streams.Messaging.Consuming;
using Streams.Messaging.Serialization;
using Streams.Operations.Cluster;

namespace Streams.Cli.Commands.Replay;

/// <summary>
/// <c>streams replay &lt;topic&gt; --consumer &lt;name&gt;</c>: feeds a range of a topic through one of the worker's
/// consumers (the same handler code) on a throwaway assignment: no group membership, no commits, so the live
/// group's offsets never move and it keeps running undisturbed. The handlers are idempotent per offset (the audit
/// projection rewrites the same rows), which is what makes replaying a range safe.
/// </summary>
internal static class ReplayCommand
{
    /// <summary>The worker's consumers by group id: a handler and what to dispose after the replay.</summary>
    private static readonly Dictionary<string, Func<string, ILoggerFactory, (Func<ConsumedEvent, CancellationToken, Task> Handler, IDisposable? Owner)>> Consumers = new(StringComparer.Ordinal)
    {
        [AuditProjection.GroupId] = (dataDir, _) =>
        {
            var audit = new AuditProjection(Path.Combine(dataDir, "audit.db"));
            return (audit.HandleAsync, audit);
        },
        [Notifier.GroupId] = (_, logging) => (new Notifier(new NotificationHub(), logging.CreateLogger<Notifier>()).HandleAsync, null),
    };

    public static Command Create(CliEnvironment cli)
    {
        var topic = new NameArgument("topic", "--topic", "Topic to replay");
        var consumer = new Option<string>("--consumer") { Description = $"The worker's consumer to replay through: {string.Join(", ", Consumers.Keys)}", Required = true };
        consumer.AcceptOnlyFromAmong([.. Consumers.Keys]);
        var from = new Option<string>("--from") { Description = "First record: beginning, an offset, or an ISO 8601 time", DefaultValueFactory = _ => "beginning" };
        var to = new Option<string>("--to") { Description = "Stop before: end (the log end now), an offset, or an ISO 8601 time", DefaultValueFactory = _ => "end" };
        var partition = new Option<int[]>("--partition", "-p") { Description = "Only these partitions; repeatable" };
        var dataDir = new Option<string>("--data-dir") { Description = "The worker's data directory (the audit projection's database is {data-dir}/audit.db)", DefaultValueFactory = _ => "data" };
        var command = new Command("replay", "Replay a range of a topic through one of the worker's consumers, without touching its group's offsets") { consumer, from, to, partition, dataDir };
        topic.AddTo(command);
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var name = topic.Read(parse);
            var consumerName = parse.GetRequiredValue(consumer);
            using var admin = session.CreateAdmin();
            var partitions = (await ClusterQueries.PartitionsAsync(admin, name).ConfigureAwait(false))
                .Where(p => parse.GetValue(partition) is not { Length: > 0 } only || only.Contains(p.Partition.Value)).ToList();
            var start = await LogPositions.ResolveAsync(admin, partitions, parse.GetValue(from)!, "--from").ConfigureAwait(false);
            var stop = await LogPositions.ResolveAsync(admin, partitions, parse.GetValue(to)!, "--to").ConfigureAwait(false);
            var pending = partitions.Where(p => start[p] < stop[p]).ToHashSet();

            using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new WriterLoggerProvider(session.Error, LogLevel.Information)));
            var (handler, owner) = Consumers[consumerName](parse.GetValue(dataDir)!, loggerFactory);
            using var registry = session.CreateRegistryClient();
            var deserializer = new AvroEventDeserializer<ISpecificRecord>(registry);
            using var reader = Records.LogReader.Create(session, "replay");
            reader.Assign(pending.Select(p => new TopicPartitionOffset(p, start[p])));
            long replayed = 0, skipped = 0;
            var progress = new ProgressReporter(session.Error, $"replay through {consumerName}", pending.Sum(p => stop[p] - start[p]));
            try
            {
                while (pending.Count > 0 && !cancellationToken.IsCancellationRequested)
                {
                    // librdkafka has no asynchronous poll; short polls keep Ctrl+C responsive.
                    var record = reader.Consume(TimeSpan.FromMilliseconds(100));
                    await progress.ReportAsync(replayed + skipped).ConfigureAwait(false);
                    if (record is null || record.IsPartitionEOF)
                    {
                        continue;
                    }

                    if (record.Offset.Value >= stop[record.TopicPartition])
                    {
                        pending.Remove(record.TopicPartition);
                        continue;
                    }

                    try
                    {
                        var value = await deserializer.DeserializeAsync(record.Message.Value, record.Message.Value is null, new SerializationContext(MessageComponentType.Value, record.Topic, record.Message.Headers)).ConfigureAwait(false);
                        var key = record.Message.Key is null ? null : System.Text.Encoding.UTF8.GetString(record.Message.Key);
                        await handler(new ConsumedEvent(value, record.Topic, record.Partition.Value, record.Offset.Value, key, record.Message.Timestamp.UtcDateTime, record.Message.Headers), cancellationToken).ConfigureAwait(false);
                        replayed++;
                    }
                    catch (Exception e) when (e is InvalidDataException or Avro.AvroException or Confluent.SchemaRegistry.SchemaRegistryException)
                    {
                        // The live group dead-lettered this record already; a replay only reports it.
                        skipped++;
                        await session.NoteAsync($"skipped {record.Topic}/{record.Partition.Value}@{record.Offset.Value}: {e.Message}").ConfigureAwait(false);
                    }

                    if (record.Offset.Value + 1 >= stop[record.TopicPartition])
                    {
                        pending.Remove(record.TopicPartition);
                    }
                }
            }
            finally
            {
                reader.Close();
                owner?.Dispose();
            }

            var ranges = partitions.Select(p => new { partition = p.Partition.Value, from = start[p], to = stop[p] }).ToList();
            var table = new TextTable("TOPIC", "PARTITION", "FROM-OFFSET", "TO-OFFSET");
            ranges.ForEach(r => table.Add(name, r.partition, r.from, r.to));
            await session.WriteAsync(new { topic = name, consumer = consumerName, replayed, skipped, ranges }, async writer =>
            {
                await table.WriteToAsync(writer).ConfigureAwait(false);
                await writer.WriteLineAsync($"Replayed {replayed} record(s) through {consumerName}{(skipped > 0 ? $", skipped {skipped}" : "")}; group offsets untouched.").ConfigureAwait(false);
            }).ConfigureAwait(false);
            return skipped > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }
}
