using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Streams.KafkaConsole.Sessions;

/// <summary>Tells an ACL refusal apart from other Kafka failures, so a page says "not allowed" instead of failing.</summary>
internal static class AccessDenied
{
    private static readonly ErrorCode[] Codes =
    [
        ErrorCode.TopicAuthorizationFailed, ErrorCode.GroupAuthorizationFailed, ErrorCode.ClusterAuthorizationFailed,
        ErrorCode.TransactionalIdAuthorizationFailed,
    ];

    public static bool Is(Exception exception) => exception switch
    {
        // Per-group results behind a summary error: the refusal is in the items.
        ListConsumerGroupOffsetsException e => e.Results.Any(r => Denied(r.Error) || r.Partitions.Any(p => Denied(p.Error))),
        AlterConsumerGroupOffsetsException e => e.Results.Any(r => Denied(r.Error) || r.Partitions.Any(p => Denied(p.Error))),
        DescribeConsumerGroupsException e => e.Results.ConsumerGroupDescriptions.Any(g => Denied(g.Error)),
        DescribeConfigsException e => e.Results.Any(r => Denied(r.Error)),
        // Others carry a summary code, and librdkafka's words for each item's error in their message.
        KafkaException e => Denied(e.Error) || e.Message.Contains("authorization failed", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static bool Denied(Error? error) => error is not null && Codes.Contains(error.Code);
}
