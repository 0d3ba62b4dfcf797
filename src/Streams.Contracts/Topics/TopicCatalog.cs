using Streams.Contracts.Carts;
using Streams.Contracts.Logins;

namespace Streams.Contracts.Topics;

/// <summary>
/// The single source of truth for the application's topics. Event topics keep their events forever (the log is
/// the audit trail and the source of every replay); state topics are compacted to the latest value per key.
/// </summary>
public static class TopicCatalog
{
    private static readonly Dictionary<string, string> KeepForever = new() { ["retention.ms"] = "-1", ["cleanup.policy"] = "delete" };

    private static readonly Dictionary<string, string> LatestPerKey = new() { ["cleanup.policy"] = "compact" };

    /// <summary>Every login attempt, keyed by employee id.</summary>
    public static TopicDefinition Logins { get; } =
        new("logins", 6, "employeeId", [typeof(EmployeeLoggedIn)], SubjectNaming.Topic, KeepForever);

    /// <summary>All events of a cart (added, removed, checked out) in one topic keyed by cart id, so one cart's events stay in order.</summary>
    public static TopicDefinition CartEvents { get; } =
        new("cart-events", 6, "cartId", [typeof(ProductAddedToCart), typeof(ProductRemovedFromCart), typeof(CartCheckedOut)], SubjectNaming.TopicRecord, KeepForever);

    /// <summary>The current state of each cart, derived from its events.</summary>
    public static TopicDefinition CartState { get; } =
        new("cart-state", 6, "cartId", [typeof(CartState)], SubjectNaming.Topic, LatestPerKey);

    /// <summary>Orders placed at checkout.</summary>
    public static TopicDefinition Orders { get; } =
        new("orders", 6, "cartId", [typeof(OrderPlaced)], SubjectNaming.Topic, KeepForever);

    /// <summary>Alerts raised by login monitoring.</summary>
    public static TopicDefinition SecurityAlerts { get; } =
        new("security-alerts", 3, "employeeId", [typeof(SecurityAlert)], SubjectNaming.Topic, KeepForever);

    /// <summary>Every topic, in a stable order.</summary>
    public static IReadOnlyList<TopicDefinition> All { get; } = [Logins, CartEvents, CartState, Orders, SecurityAlerts];

    /// <summary>The topic a record type is published to.</summary>
    public static TopicDefinition For(Type recordType) =>
        All.FirstOrDefault(t => t.ValueTypes.Contains(recordType))
        ?? throw new ArgumentException($"{recordType.FullName} is not published to any topic of the catalog.", nameof(recordType));
}
