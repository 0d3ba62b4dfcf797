using Confluent.Kafka;

namespace Streams.Worker.Infrastructure;

/// <summary>
/// One admin client for the worker's lifetime, for the periodic questions (is Kafka there, how far behind is the
/// topology): asking every few seconds must not start a librdkafka instance (threads, connections, authentication).
/// </summary>
public sealed class KafkaAdmin(StreamsEndpoints endpoints) : IDisposable
{
    private readonly Lazy<IAdminClient> _admin = new(() => new AdminClientBuilder(new AdminClientConfig(endpoints.ClientSettings("admin"))).Build());

    private int _disposed;

    public IAdminClient Client => _admin.Value;

    /// <summary>Whether Kafka answers a metadata request within 2 s.</summary>
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
        // Idempotent: closed when the host stops (before the embedded broker), and again by the container.
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
