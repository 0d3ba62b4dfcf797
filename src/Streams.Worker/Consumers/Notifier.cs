using Microsoft.Extensions.Logging;
using Streams.Contracts.Carts;
using Streams.Contracts.Logins;
using Streams.Messaging.Consuming;

namespace Streams.Worker.Consumers;

/// <summary>Tells people what happened: security alerts and placed orders, as they arrive.</summary>
public sealed partial class Notifier(ILogger<Notifier> logger)
{
    public const string GroupId = "notifier";

    public Task HandleAsync(ConsumedEvent consumed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumed);
        switch (consumed.Event)
        {
            case SecurityAlert alert:
                LogAlert(logger, alert.employeeId, alert.reason, alert.windowStart, alert.windowEnd);
                break;
            case OrderPlaced order:
                LogOrder(logger, order.orderId, order.customerId, order.lines.Count, (decimal)order.total, order.currency);
                break;
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SECURITY ALERT for employee {EmployeeId}: {Reason} ({WindowStart:HH:mm}-{WindowEnd:HH:mm})")]
    private static partial void LogAlert(ILogger logger, string employeeId, string reason, DateTime windowStart, DateTime windowEnd);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} placed by {CustomerId}: {Lines} lines, {Total} {Currency}")]
    private static partial void LogOrder(ILogger logger, string orderId, string customerId, int lines, decimal total, string currency);
}
