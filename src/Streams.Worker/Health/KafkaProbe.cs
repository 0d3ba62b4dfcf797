using Confluent.Kafka;
using Streams.Worker.Infrastructure;

namespace Streams.Worker.Health;

/// <summary>
/// Whether Kafka answers a metadata request, asked by one admin client kept for the worker's lifetime: a readiness
/// probe every few seconds must not start a librdkafka instance (threads, connections, authentication) each time.
/// </summary>
public sealed class KafkaProbe(StreamsEndpoints endpoints) : IDisposable
{
    private readonly Lazy<IAdminClient> _admin = new(() => new AdminClientBuilder(new AdminClientConfig(endpoints.KafkaProperties())).Build());

    public async Task<bool> ReachableAsync()
    {
        try
        {
            // GetMetadata blocks; keep it off the request thread.
            return await Task.Run(() => _admin.Value.GetMetadata(TimeSpan.FromSeconds(2)).Brokers.Count > 0).ConfigureAwait(false);
        }
        catch (KafkaException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
