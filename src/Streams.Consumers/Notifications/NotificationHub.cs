using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Streams.Consumers.Notifications;

/// <summary>
/// Fans notifications out to every connected client. Each client has a bounded queue; a client too slow to keep up
/// loses its oldest notifications rather than slowing the consumer group down.
/// </summary>
public sealed class NotificationHub
{
    private readonly ConcurrentDictionary<Guid, Channel<Notification>> _clients = new();

    /// <summary>Clients subscribed right now.</summary>
    public int ClientCount => _clients.Count;

    /// <summary>Queues the notification for every subscribed client, without waiting for any of them.</summary>
    public void Publish(Notification notification)
    {
        foreach (var client in _clients.Values)
        {
            client.Writer.TryWrite(notification);
        }
    }

    /// <summary>The notifications published from now on, until <paramref name="cancellationToken"/> ends the subscription.</summary>
    public async IAsyncEnumerable<Notification> SubscribeAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var channel = Channel.CreateBounded<Notification>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        _clients[id] = channel;
        try
        {
            await foreach (var notification in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return notification;
            }
        }
        finally
        {
            _clients.TryRemove(id, out _);
        }
    }
}
