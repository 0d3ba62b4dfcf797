using System.CommandLine;
using System.Diagnostics;
using Confluent.Kafka;
using Streams.Cli.Infrastructure;
using Streams.Operations.Cluster;

namespace Streams.Cli.Commands.Perf;

/// <summary>
/// <c>streams perf consume &lt;topic&gt;</c>: reads from the beginning (kafka-consumer-perf-test). Throughput counts
/// from the first record to the last; latency is each record's age at receipt (its timestamp to now), which is the
/// end-to-end latency when a producer runs at the same time.
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
            using var admin = session.CreateAdmin();
            var partitions = await ClusterQueries.PartitionsAsync(admin, name).ConfigureAwait(false);
            var end = await ClusterQueries.OffsetsAsync(admin, partitions, Confluent.Kafka.Admin.OffsetSpec.Latest()).ConfigureAwait(false);
            var begin = await ClusterQueries.OffsetsAsync(admin, partitions, Confluent.Kafka.Admin.OffsetSpec.Earliest()).ConfigureAwait(false);
            var target = parse.GetValue(messages) is > 0 and var wanted ? wanted : partitions.Sum(p => end[p] - begin[p]);
            var idle = TimeSpan.FromMilliseconds(parse.GetValue(timeout));

            using var consumer = session.CreateReader();
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
                latencies.Add((DateTime.UtcNow - result.Message.Timestamp.UtcDateTime).TotalMilliseconds);
            }

            consumer.Close();
            var summary = LatencySummary.From(count, bytes, clock?.Elapsed ?? TimeSpan.Zero, latencies);
            await session.WriteAsync(new { topic = name, result = summary }, w => w.WriteLineAsync(summary.Describe())).ConfigureAwait(false);
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
