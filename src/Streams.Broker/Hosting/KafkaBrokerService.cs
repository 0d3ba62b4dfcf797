using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Streams.Broker.Hosting;

/// <summary>
/// The embedded broker as a service of a .NET Generic Host: recovers the data directory and starts listening when
/// the host starts, and stops accepting, drains connections and closes every segment when it stops. Register it
/// with <see cref="BrokerServiceCollectionExtensions.AddKafkaBroker"/> before the services that use Kafka, so it
/// starts before them and stops after them.
/// </summary>
public sealed class KafkaBrokerService(IOptions<BrokerOptions> options, ILoggerFactory loggerFactory, TimeProvider? time = null) : IHostedService, IAsyncDisposable
{
    private KafkaBroker? _broker;

    /// <summary>The running broker; throws before the host has started it.</summary>
    public KafkaBroker Broker => _broker ?? throw new InvalidOperationException("The embedded Kafka broker has not started yet: it starts with the host.");

    /// <summary>The value for a client's <c>bootstrap.servers</c> (the bound port when 0 was configured).</summary>
    public string BootstrapServers => Broker.BootstrapServers;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _broker = await KafkaBroker.StartAsync(options.Value, loggerFactory, time, cancellationToken).ConfigureAwait(false);

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _broker, null) is { } broker)
        {
            await broker.DisposeAsync().ConfigureAwait(false);
        }
    }
}
