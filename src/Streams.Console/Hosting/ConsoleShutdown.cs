using Microsoft.Extensions.Hosting;
using Streams.KafkaConsole.Sessions;

namespace Streams.KafkaConsole.Hosting;

/// <summary>
/// Closes every console session's Kafka clients and stops their samplers when the host stops. A hosted service, not
/// container disposal: registered after an embedded broker, it stops before it, so no console client is left
/// talking to a broker that is already gone (librdkafka's "brokers are down" lines at Ctrl+C).
/// </summary>
internal sealed class ConsoleShutdown(ConsoleSessions sessions) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => sessions.CloseAllAsync();
}
