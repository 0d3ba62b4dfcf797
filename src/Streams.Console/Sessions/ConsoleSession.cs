using Streams.KafkaConsole.Hosting;
using Streams.KafkaConsole.Sampling;

namespace Streams.KafkaConsole.Sessions;

/// <summary>
/// One browser's view of the cluster: its own Kafka clients and sampler, so a signed-in user sees exactly what their
/// principal may see. Without sign-in there is a single session everyone shares. Owned by the console's session list,
/// which closes it on sign-out, after its idle timeout, and when the host stops.
/// </summary>
public sealed class ConsoleSession
{
    private readonly CancellationTokenSource _closed = new();
    private long _lastSeen = Environment.TickCount64;

    internal ConsoleSession(string id, string? user, ConsoleClients clients, ClusterSampler sampler)
    {
        (Id, User, Clients, Sampler) = (id, user, clients, sampler);
    }

    /// <summary>The signed-in SASL user; null when the console needs no sign-in.</summary>
    public string? User { get; }

    /// <summary>This session's Kafka clients (the user's credentials) and the shared registry client.</summary>
    public ConsoleClients Clients { get; }

    /// <summary>This session's sampler: only the topics and groups the user may describe.</summary>
    public ClusterSampler Sampler { get; }

    /// <summary>Cancelled when the session closes: its live streams end rather than use disposed clients.</summary>
    internal CancellationToken Closed => _closed.Token;

    /// <summary>The random id the session cookie carries.</summary>
    internal string Id { get; }

    internal TimeSpan Idle => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastSeen));

    /// <summary>A request or a live push used the session: it is not idle.</summary>
    internal void Touch() => Interlocked.Exchange(ref _lastSeen, Environment.TickCount64);

    internal async Task CloseAsync()
    {
        if (_closed.IsCancellationRequested)
        {
            return;
        }

        await _closed.CancelAsync().ConfigureAwait(false);
        await Sampler.StopAsync().ConfigureAwait(false);
        Clients.Close();
    }
}
