using System.CommandLine;
using System.Diagnostics;
using Confluent.Kafka;
using Streams.Cli.Commands.Records;
using Streams.Cli.Infrastructure;
using Streams.Operations.Cluster;

namespace Streams.Cli.Commands.Perf;

/// <summary>
/// <c>streams perf consume &lt;topic&gt;</c>: reads from the beginning (kafka-consumer-perf-test). Throughput counts
/// from the first record to the last. Latency is a record's age at receipt (its timestamp to now), counted only for
/// records produced after the run started: the age of a record that sat in the log before is not a latency. Run a
/// producer at the same time for end-to-end figures; the report says how many records they cover.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var topic = new NameArgument("topic", "--topic", "Topic to read");
        var messages = new Option<int>("--messages", "-n") { Description = "Stop after this many (default: everything now in the topic)" };
        var timeout = new Option<int>("--timeout-ms") { Description = "Give up after this long without a record", DefaultValueFactory = _ => 10_000 };
        var command = new Command("consume", "Measure consumer throughput") { messages, timeout };
        topic.AddTo(command);
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var name = topic.Read(parse);
            var runStarted = DateTime.UtcNow;
            using var admin = session.CreateAdmin();
            var partitions = await ClusterQueries.PartitionsAsync(admin, name).ConfigureAwait(false);
            var end = await ClusterQueries.OffsetsAsync(admin, partitions, Confluent.Kafka.Admin.OffsetSpec.Latest()).ConfigureAwait(false);
            var begin = await ClusterQueries.OffsetsAsync(admin, partitions, Confluent.Kafka.Admin.OffsetSpec.Earliest()).ConfigureAwait(false);
            var target = parse.GetValue(messages) is > 0 and var wanted ? wanted : partitions.Sum(p => end[p] - begin[p]);
            var idle = TimeSpan.FromMilliseconds(parse.GetValue(timeout));

            using var consumer = LogReader.Create(session, "perf-consume");
            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
            var latencies = new List<double>();
            long count = 0, bytes = 0;
            Stopwatch? clock = null;
            var lastRecord = Stopwatch.StartNew();
            var progress = new ProgressReporter(session.Error, "perf consume", target);
            while (count < target && lastRecord.Elapsed < idle && !cancellationToken.IsCancellationRequested)
            {
                // No asynchronous poll in librdkafka; short polls keep the idle timeout and Ctrl+C responsive.
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                await progress.ReportAsync(count).ConfigureAwait(false);
                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                clock ??= Stopwatch.StartNew();
                lastRecord.Restart();
                count++;
                bytes += (result.Message.Value?.Length ?? 0) + (result.Message.Key?.Length ?? 0);
                var producedAt = result.Message.Timestamp.UtcDateTime;
                if (producedAt >= runStarted)
                {
                    latencies.Add((DateTime.UtcNow - producedAt).TotalMilliseconds);
                }
            }

            consumer.Close();
            var summary = LatencySummary.From(count, bytes, clock?.Elapsed ?? TimeSpan.Zero, latencies);
            var scope = latencies.Count == 0
                ? "latency: none of the records was produced during the run (run a producer at the same time to measure it)"
                : FormattableString.Invariant($"latency over the {latencies.Count} of {count} records produced during the run");
            await session.WriteAsync(new { topic = name, result = summary, latencyRecords = latencies.Count, latencyScope = scope }, async w =>
            {
                await w.WriteLineAsync(summary.Describe()).ConfigureAwait(false);
                await w.WriteLineAsync(scope).ConfigureAwait(false);
            }).ConfigureAwait(false);
            if (count < target)
            {
                await session.NoteAsync($"Only {count} of {target} message(s) arrived within {idle.TotalSeconds:0.#} s of silence.").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
