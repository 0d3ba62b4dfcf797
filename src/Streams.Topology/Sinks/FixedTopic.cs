using Streamiz.Kafka.Net.Processors;

namespace Streams.Topology.Sinks;

/// <summary>
/// A sink's topic given as an extractor, so the sink has no stream partitioner: the producer's murmur2 partitioner
/// (Streamiz configures <c>partitioner=murmur2_random</c>, as Java clients hash) picks the partition from the key.
/// With a stream partitioner, Streamiz 1.8.2 asks the producer for the topic's partition count on every record and
/// builds a whole admin configuration to do so, a sixth of the topology thread's time under load.
/// </summary>
internal sealed class FixedTopic<TKey, TValue>(string topic) : ITopicNameExtractor<TKey, TValue>
{
    public string Extract(TKey key, TValue value, IRecordContext recordContext) => topic;
}
