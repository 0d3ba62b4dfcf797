using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Streams.Broker.Protocol;
using Streams.Broker.Records;
using Streams.Broker.Storage.Cleaner;

namespace Streams.Broker.Observability;

/// <summary>
/// The broker's own instruments on the <c>Streams.Broker</c> meter (the cleaner's are there too, see
/// <see cref="CleanerMetrics"/>): bytes and records in and out per topic, requests and their duration per API,
/// open connections, topics and partitions. Exported by the service defaults when OTLP is configured, readable with
/// <c>dotnet-counters monitor --counters Streams.Broker</c>. On the request path every call is a check of
/// <see cref="Instrument.Enabled"/> when nobody listens, and takes no allocation when someone does: tag values are
/// strings the broker already holds (topic names) or made once (API names).
/// </summary>
internal static class BrokerMetrics
{
    /// <summary>Tag of the per-topic instruments (the OpenTelemetry messaging convention's name for a topic).</summary>
    public const string TopicTag = "messaging.destination.name";

    /// <summary>Tag of the per-API instruments: the request's API name, e.g. <c>Produce</c>.</summary>
    public const string ApiTag = "kafka.api";

    private static readonly Meter Meter = new(CleanerMetrics.MeterName);

    /// <summary>Brokers of this process (tests run several), for the observed instruments.</summary>
    private static readonly ConcurrentDictionary<KafkaBroker, byte> Brokers = new();

    private static readonly string[] ApiNames = BuildApiNames();

    public static readonly Counter<long> BytesIn = Meter.CreateCounter<long>("streams.broker.bytes_in", "By", "Record batch bytes appended by produce requests, per topic.");
    public static readonly Counter<long> RecordsIn = Meter.CreateCounter<long>("streams.broker.records_in", "{record}", "Records appended by produce requests, per topic.");
    public static readonly Counter<long> BytesOut = Meter.CreateCounter<long>("streams.broker.bytes_out", "By", "Record batch bytes sent in fetch responses, per topic.");
    public static readonly Counter<long> RecordsOut = Meter.CreateCounter<long>("streams.broker.records_out", "{record}", "Records sent in fetch responses, per topic (whole batches, as the client receives them).");
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("streams.broker.requests", "{request}", "Requests handled, per API.");
    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "streams.broker.request.duration",
        "s",
        "Time from a request read to its response written, per API (a long-polling fetch counts its wait).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    static BrokerMetrics()
    {
        Meter.CreateObservableUpDownCounter("streams.broker.connections", () => Brokers.Keys.Sum(b => (long)b.OpenConnections), "{connection}", "Open client connections.");
        Meter.CreateObservableUpDownCounter("streams.broker.topics", () => Brokers.Keys.Sum(b => (long)b.Context.Logs.Topics.Count()), "{topic}", "Topics hosted (internal ones included).");
        Meter.CreateObservableUpDownCounter("streams.broker.partitions", () => Brokers.Keys.Sum(b => b.Context.Logs.Topics.Sum(t => (long)t.Partitions.Count)), "{partition}", "Partitions hosted (internal topics included).");
    }

    /// <summary>The API's name for the <see cref="ApiTag"/> tag, made once per API.</summary>
    public static string ApiName(ApiKey key) => (ushort)key < ApiNames.Length ? ApiNames[(ushort)key] : "Unknown";

    /// <summary>Counts a broker in the observed instruments until <see cref="Untrack"/>.</summary>
    public static void Track(KafkaBroker broker) => Brokers.TryAdd(broker, 0);

    public static void Untrack(KafkaBroker broker) => Brokers.TryRemove(broker, out _);

    /// <summary>A request handled: its count and, when <paramref name="started"/> was taken, its duration.</summary>
    public static void RequestHandled(ApiKey key, long started)
    {
        var tag = new KeyValuePair<string, object?>(ApiTag, ApiName(key));
        Requests.Add(1, tag);
        if (started != 0)
        {
            RequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
        }
    }

    /// <summary>A request's start for <see cref="RequestHandled"/>, or 0 when nobody measures durations.</summary>
    public static long RequestStarted() => RequestDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Record batches appended to <paramref name="topic"/>: their bytes and the records they hold.</summary>
    public static void Appended(string topic, ReadOnlySpan<byte> batches)
    {
        var tag = new KeyValuePair<string, object?>(TopicTag, topic);
        BytesIn.Add(batches.Length, tag);
        if (RecordsIn.Enabled)
        {
            RecordsIn.Add(CountRecords(batches), tag);
        }
    }

    /// <summary>Record batches sent from <paramref name="topic"/> in a fetch response.</summary>
    public static void Sent(string topic, ReadOnlySpan<byte> batches)
    {
        var tag = new KeyValuePair<string, object?>(TopicTag, topic);
        BytesOut.Add(batches.Length, tag);
        if (RecordsOut.Enabled)
        {
            RecordsOut.Add(CountRecords(batches), tag);
        }
    }

    /// <summary>The records of consecutive v2 batches, read from each batch header (a partial last batch is skipped).</summary>
    internal static long CountRecords(ReadOnlySpan<byte> batches)
    {
        long records = 0;
        while (batches.Length >= RecordBatchHeader.Size)
        {
            var size = RecordBatchHeader.LogOverhead + BinaryPrimitives.ReadInt32BigEndian(batches[RecordBatchHeader.LengthOffset..]);
            if (size < RecordBatchHeader.Size || size > batches.Length)
            {
                break;
            }

            records += BinaryPrimitives.ReadInt32BigEndian(batches[RecordBatchHeader.RecordsCountOffset..]);
            batches = batches[size..];
        }

        return records;
    }

    private static string[] BuildApiNames()
    {
        var keys = Enum.GetValues<ApiKey>();
        var names = new string[keys.Max(k => (ushort)k) + 1];
        Array.Fill(names, "Unknown");
        foreach (var key in keys)
        {
            names[(ushort)key] = key.ToString();
        }

        return names;
    }
}
