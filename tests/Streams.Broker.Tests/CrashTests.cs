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
}
