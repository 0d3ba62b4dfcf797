using Streamiz.Kafka.Net.Processors;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.Stream;

namespace Streams.Topology.Sinks;

/// <summary>
/// Sinks without a stream partitioner: the producer's murmur2 partitioner (Streamiz configures
/// <c>partitioner=murmur2_random</c>, as Java clients hash) picks the partition from the key, so a record lands where
/// any Java or librdkafka producer would put its key. Every <c>To</c> overload of Streamiz 1.8.2 without a partitioner
/// argument installs its <c>DefaultStreamPartitioner</c> (the source record's partition), and with any stream
/// partitioner the sink asks the producer for the topic's partition count on every record, building a whole admin
/// configuration (assembly version look-ups included) to do so: a sixth of the topology thread's time under load.
/// </summary>
internal static class FixedTopic
{
    /// <summary>Writes the stream to <paramref name="topic"/>, partitioned by key.</summary>
    public static void ToTopic<TKey, TValue>(this IKStream<TKey, TValue> stream, string topic, ISerDes<TKey> keys, ISerDes<TValue> values, string named) =>
        stream.To(new Extractor<TKey, TValue>(topic), partitioner: null, keys, values, named);

    private sealed class Extractor<TKey, TValue>(string topic) : ITopicNameExtractor<TKey, TValue>
    {
        public string Extract(TKey key, TValue value, IRecordContext recordContext) => topic;
    }
}
