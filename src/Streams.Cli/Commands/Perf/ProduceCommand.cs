using System.CommandLine;
using System.Diagnostics;
using Confluent.Kafka;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Perf;

/// <summary>
/// <c>streams perf produce &lt;topic&gt;</c>: a load generator in the spirit of kafka-producer-perf-test. Latency is
/// send to delivery report, per message; throughput counts from the first send to the last acknowledgement.
/// </summary>
internal static class ProduceCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var topic = new NameArgument("topic", "--topic", "Topic to write to (must exist)");
        var messages = new Option<int>("--messages", "-n") { Description = "How many messages", DefaultValueFactory = _ => 100_000 };
        var size = new Option<int>("--size") { Description = "Value size in bytes", DefaultValueFactory = _ => 100 };
        var rate = new Option<int>("--rate") { Description = "Messages per second (0: as fast as possible)", DefaultValueFactory = _ => 0 };
        var acks = new Option<string>("--acks") { Description = "0, 1 or all", DefaultValueFactory = _ => "all" };
        var command = new Command("produce", "Measure producer throughput and latency") { messages, size, rate, acks };
        topic.AddTo(command);
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var count = parse.GetValue(messages);
            var bytes = parse.GetValue(size);
            var perSecond = parse.GetValue(rate);
            if (count <= 0 || bytes < 0 || perSecond < 0)
            {
                throw CliException.Usage("--messages must be positive, --size and --rate not negative");
            }

            var ack = parse.GetValue(acks) switch
            {
                "0" => Acks.None,
                "1" => Acks.Leader,
                "all" or "-1" => Acks.All,
                var other => throw CliException.Usage($"--acks expects 0, 1 or all, got '{other}'"),
            };
            var name = topic.Read(parse);
            var payload = new byte[bytes];
            Random.Shared.NextBytes(payload);
            var latencies = new List<double>(count);
            var failures = 0;
            string? firstError = null;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var acknowledged = 0;

            using var producer = session.CreateProducer(c =>
            {
                c.Acks = ack;
                c.EnableIdempotence = ack == Acks.All ? null : false;
                c.LingerMs ??= 5;
                c.ClientId = session.ClientProperties("perf-produce")["client.id"];
            });
            var progress = new ProgressReporter(session.Error, "perf produce: acknowledged", count);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
            {
                await progress.ReportAsync(Volatile.Read(ref acknowledged)).ConfigureAwait(false);
                var ahead = perSecond > 0 ? TimeSpan.FromSeconds(i / (double)perSecond) - clock.Elapsed : TimeSpan.Zero;
                if (ahead > TimeSpan.Zero)
                {
                    await Task.Delay(ahead, cancellationToken).ConfigureAwait(false);
                }

                var sent = clock.Elapsed.TotalMilliseconds;
                while (true)
                {
                    try
                    {
                        producer.Produce(name, new Message<byte[]?, byte[]?> { Value = payload }, report =>
                        {
                            // Delivery reports arrive on librdkafka's thread, one at a time.
                            if (report.Error.IsError)
                            {
                                failures++;
                                firstError ??= report.Error.Reason;
                            }
                            else
                            {
                                latencies.Add(clock.Elapsed.TotalMilliseconds - sent);
                            }

                            if (Interlocked.Increment(ref acknowledged) == count)
                            {
                                done.TrySetResult();
                            }
                        });
                        break;
                    }
                    catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        // The client's queue is full: let deliveries drain, as the Java perf tool blocks.
                        await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            clock.Stop();
            var summary = LatencySummary.From(count - failures, (long)(count - failures) * bytes, clock.Elapsed, latencies);
            await session.WriteAsync(new { topic = name, acks = parse.GetValue(acks), failures, result = summary }, w => w.WriteLineAsync(summary.Describe())).ConfigureAwait(false);
            if (failures > 0)
            {
                await session.NoteAsync($"{failures} message(s) failed, first: {firstError}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
