using System.Text.Json;
using Microsoft.Extensions.Logging;
using Streams.Contracts.Carts;
using Streams.Contracts.Logins;
using Streams.Messaging.Consuming;
using Streams.Consumers.Notifications;

namespace Streams.Consumers;

/// <summary>
/// Tells people what happened, as it happens: security alerts and order confirmations are pushed to every client
/// connected to <c>/notifications</c> (Server-Sent Events, no polling) and written to the log.
/// </summary>
public sealed partial class Notifier(NotificationHub hub, ILogger<Notifier> logger)
{
    /// <summary>The consumer group the worker runs the notifier in.</summary>
    public const string GroupId = "notifier";

    private long _orders;
    private long _alerts;

    /// <summary>Orders notified since start (the worker's status line).</summary>
    public long Orders => Interlocked.Read(ref _orders);

    /// <summary>Security alerts notified since start.</summary>
    public long Alerts => Interlocked.Read(ref _alerts);

    /// <summary>Pushes a security alert or an order confirmation to every connected client; other events are ignored.</summary>
    public Task HandleAsync(ConsumedEvent consumed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumed);
        switch (consumed.Event)
        {
            case SecurityAlert alert:
                LogAlert(logger, alert.employeeId, alert.reason, alert.windowStart, alert.windowEnd);
                Interlocked.Increment(ref _alerts);
                break;
            case OrderPlaced order:
                LogOrder(logger, order.orderId, order.customerId, order.lines.Count, (decimal)order.total, order.currency);
                Interlocked.Increment(ref _orders);
                break;
        }

        if (ToNotification(consumed) is { } notification)
        {
            hub.Publish(notification);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The notification an event makes (an alert or an order confirmation), or null for any other event. Shared by the
    /// live path and the replay of what a reconnecting client missed, so both send the same thing.
    /// </summary>
    public static Notification? ToNotification(ConsumedEvent consumed)
    {
        ArgumentNullException.ThrowIfNull(consumed);
        return consumed.Event switch
        {
            SecurityAlert alert => new Notification("alert", consumed.Key, JsonSerializer.Serialize(new { alert.eventId, alert.employeeId, alert.failedAttempts, alert.windowStart, alert.windowEnd, alert.reason }), consumed.Topic, consumed.Partition, consumed.Offset),
            OrderPlaced order => new Notification("order", consumed.Key, JsonSerializer.Serialize(new { order.eventId, order.orderId, order.cartId, order.customerId, lines = order.lines.Count, total = (decimal)order.total, order.currency }), consumed.Topic, consumed.Partition, consumed.Offset),
            _ => null,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SECURITY ALERT for employee {EmployeeId}: {Reason} ({WindowStart:HH:mm}-{WindowEnd:HH:mm})")]
    private static partial void LogAlert(ILogger logger, string employeeId, string reason, DateTime windowStart, DateTime windowEnd);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} placed by {CustomerId}: {Lines} lines, {Total:0.00} {Currency}")]
    private static partial void LogOrder(ILogger logger, string orderId, string customerId, int lines, decimal total, string currency);
}
