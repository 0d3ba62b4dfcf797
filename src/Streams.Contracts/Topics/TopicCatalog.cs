using Streams.Contracts.Carts;
using Streams.Contracts.Logins;

namespace Streams.Contracts.Topics;

/// <summary>
/// The single source of truth for the application's topics. Event topics keep their events forever (the log is
/// the audit trail and the source of every replay); state topics are compacted to the latest value per key.
/// Each topic also says which service (<see cref="ServicePrincipals"/>) produces and which consumes it, in which
/// consumer group: the access a secured cluster grants, and nothing more.
/// </summary>
public static class TopicCatalog
{
    private static readonly Dictionary<string, string> KeepForever = new() { ["retention.ms"] = "-1", ["cleanup.policy"] = "delete" };

    private static readonly Dictionary<string, string> LatestPerKey = new() { ["cleanup.policy"] = "compact" };

    // The consumer groups and the application id, as the worker names them (Streams.Consumers' AuditProjection.GroupId
    // and Notifier.GroupId, the worker's Streams:ApplicationId default); a test holds them equal.
    private static readonly TopicConsumer TopologyReads = new(ServicePrincipals.Topology, "streams-topology");
    private static readonly TopicConsumer AuditReads = new(ServicePrincipals.Audit, "audit-projection");
    private static readonly TopicConsumer NotifierReads = new(ServicePrincipals.Notifier, "notifier");

    // The notifications replay (Streams.Consumers' NotificationLog.GroupPrefix) reads as the notifier, assign-only, in
    // made-up groups it never joins; librdkafka still asks for their coordinator.
    private static readonly TopicConsumer NotificationReplayReads = new(ServicePrincipals.Notifier, "streams-notifications-", GroupPrefixed: true);

    /// <summary>Every login attempt, keyed by employee id.</summary>
    public static TopicDefinition Logins { get; } =
        new("logins", 6, "employeeId", [typeof(EmployeeLoggedIn)], SubjectNaming.Topic, KeepForever)
        {
            Producers = [ServicePrincipals.Publisher],
            Consumers = [TopologyReads, AuditReads],
        };

    /// <summary>All events of a cart (added, removed, checked out) in one topic keyed by cart id, so one cart's events stay in order.</summary>
    public static TopicDefinition CartEvents { get; } =
        new("cart-events", 6, "cartId", [typeof(ProductAddedToCart), typeof(ProductRemovedFromCart), typeof(CartCheckedOut)], SubjectNaming.TopicRecord, KeepForever)
        {
            Producers = [ServicePrincipals.Publisher],
            Consumers = [TopologyReads, AuditReads],
        };

    /// <summary>The current state of each cart, derived from its events.</summary>
    public static TopicDefinition CartState { get; } =
        new("cart-state", 6, "cartId", [typeof(CartState)], SubjectNaming.Topic, LatestPerKey)
        {
            Producers = [ServicePrincipals.Topology],
            Consumers = [AuditReads],
        };

    /// <summary>Orders placed at checkout.</summary>
    public static TopicDefinition Orders { get; } =
        new("orders", 6, "cartId", [typeof(OrderPlaced)], SubjectNaming.Topic, KeepForever)
        {
            Producers = [ServicePrincipals.Topology],
            Consumers = [AuditReads, NotifierReads, NotificationReplayReads],
        };

    /// <summary>Alerts raised by login monitoring.</summary>
    public static TopicDefinition SecurityAlerts { get; } =
        new("security-alerts", 3, "employeeId", [typeof(SecurityAlert)], SubjectNaming.Topic, KeepForever)
        {
            Producers = [ServicePrincipals.Topology],
            Consumers = [AuditReads, NotifierReads, NotificationReplayReads],
        };

    /// <summary>Every event topic, in a stable order.</summary>
    public static IReadOnlyList<TopicDefinition> All { get; } = [Logins, CartEvents, CartState, Orders, SecurityAlerts];

    /// <summary>
    /// Records the topology and the consumer groups could not process, with the reason in headers. The worker's
    /// provisioning creates it; operators read it (as an administrator), no service does.
    /// </summary>
    public static TopicDefinition DeadLetters { get; } =
        new("dead-letters", 1, "the original record's key", [], SubjectNaming.Topic, KeepForever)
        {
            Producers = [ServicePrincipals.Topology, ServicePrincipals.Audit, ServicePrincipals.Notifier],
        };

    /// <summary>
    /// The schema registry's store: it creates the topic, checks its configs, writes and reads it back. The embedded
    /// registry reads in made-up groups <c>_schemas-reader-...</c> it never joins; Confluent Schema Registry elects
    /// its leader in group <c>schema-registry</c>.
    /// </summary>
    public static TopicDefinition Schemas { get; } =
        new("_schemas", 1, "the registry's record key (subject and version, config or mode)", [], SubjectNaming.Topic, LatestPerKey)
        {
            Producers = [ServicePrincipals.Registry],
            Consumers = [new(ServicePrincipals.Registry, "_schemas-reader-", GroupPrefixed: true), new(ServicePrincipals.Registry, "schema-registry", GroupPrefixed: true)],
            Owner = ServicePrincipals.Registry,
        };

    /// <summary>
    /// Topics the services need besides the event topics: not created by <c>streams topics apply</c> (the worker and
    /// the registry create them), but part of the access the catalog grants.
    /// </summary>
    public static IReadOnlyList<TopicDefinition> Support { get; } = [DeadLetters, Schemas];

    /// <summary>The worker's Streamiz application (its default <c>Streams:ApplicationId</c>).</summary>
    public static StreamsApplicationDefinition TopologyApplication { get; } = new("streams-topology", ServicePrincipals.Topology);

    /// <summary>Every Streamiz application of the catalog.</summary>
    public static IReadOnlyList<StreamsApplicationDefinition> Applications { get; } = [TopologyApplication];

    /// <summary>The topic a record type is published to.</summary>
    public static TopicDefinition For(Type recordType) =>
        All.FirstOrDefault(t => t.ValueTypes.Contains(recordType))
        ?? throw new ArgumentException($"{recordType.FullName} is not published to any topic of the catalog.", nameof(recordType));
}
