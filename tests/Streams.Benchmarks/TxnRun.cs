using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Spectre.Console;
using Streams.Broker;

namespace Streams.Benchmarks;

/// <summary>
/// What transactions cost on the embedded broker: produce throughput of an idempotent producer (the baseline) and of a
/// transactional one committing every 1,000 records and every 100 ms, same broker, same run, alternating rounds.
/// </summary>
internal static class TxnRun
{
    private enum Mode
    {
        Idempotent,
        CommitEvery1000Records,
        CommitEvery100Ms,
    }

    public static async Task RunAsync(int messages, int valueSize)
    {
        var directory = Path.Combine(Path.GetTempPath(), "streams-bench-txn-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var broker = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = directory }).ConfigureAwait(false);
            var rates = Enum.GetValues<Mode>().ToDictionary(m => m, _ => new List<double>());
            for (var round = 0; round < 3; round++)
            {
                foreach (var mode in Enum.GetValues<Mode>())
                {
                    rates[mode].Add(await ProduceRateAsync(broker.BootstrapServers, mode, $"bench-txn-{mode}-{round}", messages, valueSize).ConfigureAwait(false));
                }
            }

            var baseline = rates[Mode.Idempotent].Max();
            var table = new Table().AddColumns($"{messages:N0} x {valueSize} B, acks=all", "msg/s (best of 3)", "each run", "vs idempotent");
            foreach (var (mode, list) in rates)
            {
                table.AddRow(mode.ToString(), $"{list.Max():N0}", string.Join(", ", list.Select(r => r.ToString("N0", CultureInfo.InvariantCulture))), $"{list.Max() / baseline:P1}");
            }

            AnsiConsole.Write(table);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<double> ProduceRateAsync(string bootstrap, Mode mode, string topic, int messages, int valueSize)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrap, EnableIdempotence = true, LingerMs = 5 };
        if (mode != Mode.Idempotent)
        {
            config.TransactionalId = topic;
        }

        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        var timeout = TimeSpan.FromSeconds(30);
        if (mode != Mode.Idempotent)
        {
            producer.InitTransactions(timeout);
        }
        else
        {
            // The transactional producer gets its id and connections in InitTransactions, before the clock starts: so does this one.
            await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = [] }).ConfigureAwait(false);
        }

        var value = new byte[valueSize];
        var failed = 0;
        void OnDelivery(DeliveryReport<Null, byte[]> report) => failed += report.Error.IsError ? 1 : 0;

        var watch = Stopwatch.StartNew();
        var sinceCommit = Stopwatch.StartNew();
        var inTransaction = 0;
        for (var i = 0; i < messages; i++)
        {
            if (mode != Mode.Idempotent && inTransaction == 0)
            {
                producer.BeginTransaction();
                sinceCommit.Restart();
            }

            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<Null, byte[]> { Value = value }, OnDelivery);
                    break;
                }
                catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }

            inTransaction++;
            var commit = mode switch
            {
                Mode.CommitEvery1000Records => inTransaction >= 1000,
                Mode.CommitEvery100Ms => sinceCommit.ElapsedMilliseconds >= 100,
                _ => false,
            };
            if (commit)
            {
                producer.CommitTransaction(timeout);
                inTransaction = 0;
            }
        }

        if (mode != Mode.Idempotent && inTransaction > 0)
        {
            producer.CommitTransaction(timeout);
        }

        producer.Flush(timeout);
        watch.Stop();
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} deliveries failed in mode {mode}");
        }

        return messages / watch.Elapsed.TotalSeconds;
    }
}
