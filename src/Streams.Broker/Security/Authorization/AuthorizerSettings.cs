using Streams.Broker.Configs;

namespace Streams.Broker.Security.Authorization;

/// <summary>
/// The authorizer's broker settings, under Kafka's names: <c>authorizer.class.name</c> (any non-empty value turns
/// authorization on; Kafka's <c>kafka.security.authorizer.AclAuthorizer</c> and
/// <c>org.apache.kafka.metadata.authorizer.StandardAuthorizer</c> both mean this ACL authorizer), <c>super.users</c>
/// (<c>User:admin;User:ops</c>) and <c>allow.everyone.if.no.acl.found</c>.
/// </summary>
internal sealed record AuthorizerSettings(string ClassName, IReadOnlyList<KafkaPrincipal> SuperUsers, bool AllowEveryoneIfNoAclFound)
{
    public bool Enabled => ClassName.Length > 0;

    /// <summary>Reads the settings; <see cref="ArgumentException"/> names a malformed <c>super.users</c> entry.</summary>
    public static AuthorizerSettings Parse(string className, string superUsers, bool allowEveryoneIfNoAclFound)
    {
        var principals = new List<KafkaPrincipal>();
        foreach (var item in superUsers.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                principals.Add(KafkaPrincipal.Parse(item));
            }
            catch (FormatException ex)
            {
                throw new ArgumentException($"Invalid broker setting {BrokerSettingDefs.SuperUsers.Name}: {ex.Message}", ex);
            }
        }

        return new AuthorizerSettings(className.Trim(), principals, allowEveryoneIfNoAclFound);
    }
}
