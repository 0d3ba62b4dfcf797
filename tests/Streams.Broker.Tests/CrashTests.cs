using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests;

/// <summary>The broker as its own process, killed with SIGKILL mid-stream or stopped with SIGTERM.</summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Every_acknowledged_write_survives_kill_9_in_the_middle_of_producing()
    {
        var acknowledged = new List<(long Offset, int Value)>();
        using (var process = await BrokerProcess.StartAsync(_dataDirectory))
        {
            using var producer = Clients.Producer<Null, int>(process.BootstrapServers, c =>
            {
                c.Acks = Acks.All;
                c.EnableIdempotence = true;
                c.LingerMs = 2;
                c.MessageTimeoutMs = 3000;
            });
            var killAt = DateTime.UtcNow.AddSeconds(1.5);
            var value = 0;
            var inFlight = new List<Task<DeliveryResult<Null, int>>>();
            while (DateTime.UtcNow < killAt)
            {
                inFlight.Add(producer.ProduceAsync("crash", new Message<Null, int> { Value = value++ }));
                if (inFlight.Count >= 200)
                {
                    await Task.WhenAll(inFlight);
                    acknowledged.AddRange(inFlight.Select(t => (t.Result.Offset.Value, t.Result.Message.Value)));
                    inFlight.Clear();
                }
            }

            process.Kill(); // while up to 200 messages are still in flight
            foreach (var task in inFlight)
            {
                try
                {
                    var result = await task;
                    acknowledged.Add((result.Offset.Value, result.Message.Value));
                }
                catch (ProduceException<Null, int>)
                {
                    // Not acknowledged: no promise was made.
                }
            }
        }

        output.WriteLine($"{acknowledged.Count} acknowledged before the kill");
        Assert.True(acknowledged.Count > 100);

        await using var restarted = await TestBroker.StartAsync(output, dataDirectory: _dataDirectory);
        var maxOffset = acknowledged.Max(a => a.Offset);
        var read = Clients.ReadAll<Null, int>(restarted.BootstrapServers, "crash", (int)maxOffset + 1).ToDictionary(r => r.Offset.Value, r => r.Message.Value);
        Assert.All(acknowledged, a => Assert.Equal(a.Value, read[a.Offset]));
    }

    [Fact]
    public async Task Sigterm_shuts_down_cleanly_and_logs_nothing_to_recover()
    {
        using (var process = await BrokerProcess.StartAsync(_dataDirectory))
        {
            using (var producer = Clients.Producer<Null, string>(process.BootstrapServers))
            {
                await producer.ProduceAsync("graceful", new Message<Null, string> { Value = "kept" });
            }

            Assert.Equal(0, await process.TerminateAsync());
        }

        Assert.True(File.Exists(Path.Combine(_dataDirectory, "graceful-0", "clean-shutdown")));
        Assert.True(File.Exists(Path.Combine(_dataDirectory, "graceful-0", "00000000000000000000.index")));
        await using var restarted = await TestBroker.StartAsync(output, dataDirectory: _dataDirectory);
        Assert.Equal("kept", Assert.Single(Clients.ReadAll<Null, string>(restarted.BootstrapServers, "graceful", 1)).Message.Value);
    }

    /// <summary>
    /// Kill -9 at random moments during acks=all idempotent produce, restart, again and again: every acknowledged
    /// record is there exactly once (its key is unique and found at its acknowledged offset), no key appears twice,
    /// and the group's last acknowledged commit survives. STREAMS_CRASH_LOOPS sets the number of loops (default 5).
    /// </summary>
    [Fact]
    public async Task Repeated_kill_9_during_idempotent_produce_loses_and_duplicates_nothing()
    {
        var loops = int.TryParse(Environment.GetEnvironmentVariable("STREAMS_CRASH_LOOPS"), out var n) ? n : 5;
        const string Topic = "crash-loop";
        const string Group = "crash-loop-group";
        const int Partitions = 3;
        var acknowledged = new Dictionary<string, (int Partition, long Offset)>();
        var committed = new Dictionary<int, long>();
        var next = 0;
        for (var loop = 0; loop < loops; loop++)
        {
            using var process = await BrokerProcess.StartAsync(_dataDirectory);
            if (loop == 0)
            {
                await Clients.CreateTopicAsync(process.BootstrapServers, Topic, Partitions);
            }
            else if (acknowledged.Count > 0)
            {
                // The previous loop's acknowledged offsets, committed now: the commit itself is acknowledged before the next kill.
                using var consumer = Clients.Consumer<Ignore, Ignore>(process.BootstrapServers, c => c.GroupId = Group);
                var offsets = acknowledged.Values.GroupBy(a => a.Partition).Select(g => new TopicPartitionOffset(Topic, g.Key, g.Max(a => a.Offset) + 1)).ToList();
                consumer.Commit(offsets);
                foreach (var o in offsets)
                {
                    committed[o.Partition.Value] = o.Offset.Value;
                }
            }

            using var producer = Clients.Producer<string, int>(process.BootstrapServers, c =>
            {
                c.Acks = Acks.All;
                c.EnableIdempotence = true;
                c.LingerMs = 1;
                c.MessageTimeoutMs = 2000;
            });
            // One acknowledged record first, so the kill lands in the stream, not in the client's connection setup.
            var first = next++;
            var inFlight = new List<Task<DeliveryResult<string, int>>> { producer.ProduceAsync(Topic, new Message<string, int> { Key = $"k{first}", Value = first }) };
            await inFlight[0];

            // The kill comes from another thread at a random moment while the producer keeps sending.
            var killer = Task.Run(async () =>
            {
                await Task.Delay(Random.Shared.Next(100, 1000));
                process.Kill();
            });
            while (!killer.IsCompleted)
            {
                var value = next++;
                inFlight.Add(producer.ProduceAsync(Topic, new Message<string, int> { Key = $"k{value}", Value = value }));
                if (inFlight.Count % 20 == 0)
                {
                    await Task.Yield();
                }
            }

            await killer;
            var lost = 0;
            foreach (var task in inFlight)
            {
                try
                {
                    var result = await task;
                    acknowledged.Add(result.Message.Key, (result.Partition.Value, result.Offset.Value));
                }
                catch (ProduceException<string, int>)
                {
                    lost++; // never acknowledged: no promise was made
                }
            }

            output.WriteLine($"loop {loop}: {inFlight.Count} sent, {inFlight.Count - lost} acknowledged, {lost} failed (in flight at the kill)");
        }

        using var final = await BrokerProcess.StartAsync(_dataDirectory);
        using (var admin = Clients.Admin(final.BootstrapServers))
        {
            var offsets = (await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(Group, null)])).Single().Partitions
                .ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
            Assert.All(committed, c => Assert.Equal(c.Value, offsets[c.Key]));
        }

        var ends = new Dictionary<int, long>();
        using (var consumer = Clients.Consumer<Ignore, Ignore>(final.BootstrapServers))
        {
            for (var p = 0; p < Partitions; p++)
            {
                ends[p] = consumer.QueryWatermarkOffsets(new TopicPartition(Topic, p), TimeSpan.FromSeconds(10)).High.Value;
            }
        }

        var stored = Clients.ReadAll<string, int>(final.BootstrapServers, Topic, (int)ends.Values.Sum(), Partitions);
        Assert.Equal(ends.Values.Sum(), stored.Count);
        var duplicates = stored.GroupBy(r => r.Message.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var byKey = stored.GroupBy(r => r.Message.Key).ToDictionary(g => g.Key, g => g.First());
        var missing = acknowledged.Where(a => !byKey.TryGetValue(a.Key, out var r) || r.Partition.Value != a.Value.Partition || r.Offset.Value != a.Value.Offset).ToList();
        output.WriteLine($"{loops} loops: {acknowledged.Count} acknowledged, {stored.Count} stored, {missing.Count} lost or moved, {duplicates.Count} duplicated");
        Assert.Empty(missing);
        Assert.Empty(duplicates);
        Assert.True(acknowledged.Count > loops * 50, $"only {acknowledged.Count} records were acknowledged");
    }
}
