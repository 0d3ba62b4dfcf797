using Microsoft.Extensions.Logging;

namespace Streams.Broker.Security;

/// <summary>
/// The security audit trail, one logger category for every authentication outcome and authorization denial (the
/// role of Kafka's <c>kafka.authorizer.logger</c>), so an operator can answer "who tried what, from where" from one
/// stream of structured lines.
/// </summary>
internal static partial class SecurityAudit
{
    /// <summary>The logger category of audit lines.</summary>
    public const string Category = "Streams.Broker.Audit";

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Authentication succeeded: principal {Principal} mechanism {Mechanism} listener {Listener} client {Client}")]
    public static partial void AuthenticationSucceeded(ILogger logger, string principal, string mechanism, string listener, string client);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Authentication failed: user {User} mechanism {Mechanism} listener {Listener} client {Client} reason {Reason}")]
    public static partial void AuthenticationFailed(ILogger logger, string user, string mechanism, string listener, string client, string reason);
}
