using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Observability;

/// <summary>
/// The broker's instruments on the <c>Streams.Broker</c> meter, read the way any exporter reads them (a MeterListener),
/// while real librdkafka clients produce and consume. Other tests' brokers run in the same process, so per-topic
/// figures are matched by this test's topic and the rest are lower bounds.
/// </summary>
public sealed class BrokerMetricsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ConcurrentDictionary<(string Instrument, string? Tag), double> _sums = new();
    private readonly MeterListener _listener = new();
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Streams.Broker")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, 1, tags));
        _listener.Start();
        _broker = await TestBroker.StartAsync(output);
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task Bytes_and_records_per_topic_requests_per_api_connections_and_partitions_are_counted()
    {
        var topic = $"metrics-{Guid.NewGuid():N}";
        await Clients.CreateTopicAsync(_broker.BootstrapServers, topic, partitions: 3);
        using (var producer = Clients.Producer<string, string>(_broker.BootstrapServers, c => { c.CompressionType = CompressionType.Gzip; c.LingerMs = 5; }))
        {
            for (var i = 0; i < 250; i++)
            {
                producer.Produce(topic, new Message<string, string> { Key = $"k{i}", Value = new string('x', 100) });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));

            // Observed instruments report when collected: the producer's connection is open now.
            _listener.RecordObservableInstruments();
            Assert.True(Sum("streams.broker.connections") >= 1);
            Assert.True(Sum("streams.broker.partitions") >= 3);
            Assert.True(Sum("streams.broker.topics") >= 1);
        }

        Assert.Equal(250, Sum("streams.broker.records_in", topic));
        var bytesIn = Sum("streams.broker.bytes_in", topic);
        Assert.True(bytesIn > 0);

        var read = Clients.ReadAll<string, string>(_broker.BootstrapServers, topic, 250, partitions: 3);
        Assert.Equal(250, read.Count);
        Assert.True(Sum("streams.broker.records_out", topic) >= 250);
        Assert.True(Sum("streams.broker.bytes_out", topic) >= bytesIn);

        Assert.True(Sum("streams.broker.requests", "Produce") >= 1);
        Assert.True(Sum("streams.broker.requests", "Fetch") >= 1);
        Assert.True(Sum("streams.broker.request.duration", "Produce") >= 1);
        Assert.True(Sum("streams.broker.requests", "Metadata") >= 1);
    }

    [Fact]
    public void Records_are_counted_from_each_batch_header_and_a_partial_batch_is_left_out()
    {
        var batch = Batch(records: 7, bodyBytes: 30);
        var two = batch.Concat(Batch(records: 5, bodyBytes: 10)).ToArray();

        Assert.Equal(7, Streams.Broker.Observability.BrokerMetrics.CountRecords(batch));
        Assert.Equal(12, Streams.Broker.Observability.BrokerMetrics.CountRecords(two));
        Assert.Equal(7, Streams.Broker.Observability.BrokerMetrics.CountRecords(two.AsSpan(0, two.Length - 1)));
    }

    private static byte[] Batch(int records, int bodyBytes)
    {
        // Only the fields the count reads: batchLength at 8 (bytes after the first 12) and the records count at 57.
        var bytes = new byte[61 + bodyBytes];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), bytes.Length - 12);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(57), records);
        return bytes;
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? tag = null;
        foreach (var (key, tagValue) in tags)
        {
            if (key is "messaging.destination.name" or "kafka.api")
            {
                tag = tagValue as string;
            }
        }

        _sums.AddOrUpdate((instrument.Name, tag), value, (_, sum) => sum + value);
        if (tag is not null)
        {
            _sums.AddOrUpdate((instrument.Name, null), value, (_, sum) => sum + value);
        }
    }

    private double Sum(string instrument, string? tag = null) => _sums.GetValueOrDefault((instrument, tag));
}
