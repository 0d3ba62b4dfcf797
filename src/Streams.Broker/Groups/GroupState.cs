namespace Streams.Broker.Groups;

/// <summary>
/// The classic coordinator's group states. The names are sent verbatim in DescribeGroups and ListGroups, so they
/// must stay spelled exactly as Kafka spells them.
/// </summary>
internal enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}
