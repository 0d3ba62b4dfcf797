using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Cli.Infrastructure;
using Streams.Messaging.Diagnostics;
using Streams.Operations.Cluster;
using Streams.Operations.Records;

namespace Streams.Cli.Commands.Records;

/// <summary>
/// <c>streams tail &lt;topic&gt;</c>: prints records with Avro, JSON Schema and Protobuf data decoded to JSON, with key, partition, offset, timestamp,
/// headers and the trace id of their <c>traceparent</c>. Reads without a consumer group commit, so it never moves
/// anyone's offsets. Stops at the end of the log unless <c>--follow</c>.
/// </summary>
internal static class TailCommand
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliEnvironment cli)
    {
        var topic = new NameArgument("topic", "--topic", "Topic to read");
        var from = new Option<string>("--from")
        {
            Description = "Where to start: beginning, end, an offset (every partition), or an ISO 8601 time",
            DefaultValueFactory = _ => "beginning",
        };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep waiting for new records (Ctrl+C stops)" };
        var max = new Option<int?>("--max-messages", "-n") { Description = "Stop after this many records" };
        var partition = new Option<int[]>("--partition", "-p") { Description = "Only these partitions; repeatable" };
        var command = new Command("tail", "Print a topic's records, Avro, JSON Schema and Protobuf decoded to JSON") { from, follow, max, partition };
        topic.AddTo(command);
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var name = topic.Read(parse);
            var limit = parse.GetValue(max) ?? int.MaxValue;
            using var admin = session.CreateAdmin();
            var partitions = (await ClusterQueries.PartitionsAsync(admin, name).ConfigureAwait(false))
                .Where(p => parse.GetValue(partition) is not { Length: > 0 } only || only.Contains(p.Partition.Value)).ToList();
            var start = await LogPositions.ResolveAsync(admin, partitions, parse.GetValue(from)!, "--from").ConfigureAwait(false);

            // Without --follow, "the end" is the log end when we started: records arriving later are not waited for.
            var stopAt = parse.GetValue(follow) ? null : await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.Latest()).ConfigureAwait(false);
            // A partition is done at its end-of-partition event or at the first record past that end.
            var pending = stopAt is null ? null : partitions.ToHashSet();

            using var registry = session.CreateRegistryClient();
            var decoder = new FormatDecoder(registry);
            using var consumer = LogReader.Create(session, "tail");
            consumer.Assign(start.Select(p => new TopicPartitionOffset(p.Key, p.Value)));
            var printed = 0;
            try
            {
                while (printed < limit && (pending is null || pending.Count > 0) && !cancellationToken.IsCancellationRequested)
                {
                    // librdkafka has no asynchronous poll; short polls keep Ctrl+C and the end check responsive.
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    if (result is null)
                    {
                        continue;
                    }

                    if (result.IsPartitionEOF)
                    {
                        pending?.Remove(result.TopicPartition);
                        continue;
                    }

                    if (stopAt is not null && result.Offset.Value >= stopAt[result.TopicPartition])
                    {
                        pending!.Remove(result.TopicPartition);
                        continue;
                    }

                    await WriteAsync(session, result, decoder).ConfigureAwait(false);
                    printed++;
                    if (stopAt is not null && result.Offset.Value + 1 >= stopAt[result.TopicPartition])
                    {
                        pending!.Remove(result.TopicPartition);
                    }
                }
            }
            finally
            {
                consumer.Close();
            }

            await session.NoteAsync($"{printed} record(s).").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task WriteAsync(CliSession session, ConsumeResult<byte[]?, byte[]?> result, FormatDecoder decoder)
    {
        var key = await decoder.DecodeAsync(result.Message.Key).ConfigureAwait(false);
        var value = await decoder.DecodeAsync(result.Message.Value).ConfigureAwait(false);
        var headers = new JsonObject();
        foreach (var kafkaHeader in result.Message.Headers ?? [])
        {
            headers[kafkaHeader.Key] = kafkaHeader.GetValueBytes() is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
        }

        var trace = TraceHeaders.Extract(result.Message.Headers);
        var traceId = trace == default ? null : trace.TraceId.ToHexString();
        var timestamp = result.Message.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        if (session.Format == OutputFormat.Json)
        {
            // One object per line (JSON Lines): a followed topic never ends, so it cannot be one JSON array.
            var line = new JsonObject
            {
                ["topic"] = result.Topic,
                ["partition"] = result.Partition.Value,
                ["offset"] = result.Offset.Value,
                ["timestamp"] = timestamp,
                ["key"] = key.Json,
                ["headers"] = headers,
                ["traceId"] = traceId,
                ["schemaId"] = value.SchemaId,
                ["schema"] = value.SchemaName,
                ["value"] = value.Json,
            };
            await session.Output.WriteLineAsync(line.ToJsonString(Compact)).ConfigureAwait(false);
            return;
        }

        var header = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{result.Topic}/{result.Partition.Value}@{result.Offset.Value}  {timestamp}  key={key.Json?.ToJsonString(Compact) ?? "null"}");
        if (traceId is not null)
        {
            header.Append(CultureInfo.InvariantCulture, $"  trace={traceId}");
        }

        if (value.SchemaName is not null)
        {
            header.Append(CultureInfo.InvariantCulture, $"  schema={value.SchemaName}#{value.SchemaId}");
        }

        await session.Output.WriteLineAsync(header.ToString()).ConfigureAwait(false);
        if (headers.Count > 0)
        {
            await session.Output.WriteLineAsync("  headers " + headers.ToJsonString(Compact)).ConfigureAwait(false);
        }

        await session.Output.WriteLineAsync("  " + (value.Json?.ToJsonString(Compact) ?? "null")).ConfigureAwait(false);
    }
}
