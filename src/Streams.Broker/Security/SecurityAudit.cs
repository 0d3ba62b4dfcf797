namespace Streams.Broker.Security;

/// <summary>
/// Logger categories of the security audit trail, so an operator can route "who tried to do what" to its own sink
/// (for example <c>Logging:LogLevel:kafka.authorizer.logger=Debug</c> to see every allowed action too).
/// </summary>
public static class SecurityAudit
{
    /// <summary>
    /// Authorization decisions, under Kafka's own logger name: every denial at Information, every allowed action at
    /// Debug, one line each in Kafka's form (<c>Principal = User:x is Denied operation = Write from host = 1.2.3.4 on
    /// resource = Topic:LITERAL:orders for request = Produce with resourceRefCount = 1</c>).
    /// </summary>
    public const string AuthorizerCategory = "kafka.authorizer.logger";
}
