using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Security.Authorization;

/// <summary>
/// A broker with authorization on, prepared the way an operator would: a first run with <c>super.users=User:ANONYMOUS</c>
/// creates topics, data and ACLs through the ordinary clients; the broker is stopped and started again on the same data
/// without the super user, so every request of the test (all User:ANONYMOUS until authentication exists) is judged by the
/// ACLs the first run stored — which also proves they survive a restart.
/// </summary>
internal static class SecuredBroker
{
    public const string AuthorizerClass = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    public const string Anonymous = "User:ANONYMOUS";

    public static async Task<TestBroker> StartAsync(ITestOutputHelper output, Func<string, IAdminClient, Task> setup, IReadOnlyDictionary<string, string>? settings = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N"));
        var options = new BrokerOptions { Port = 0, DataDirectory = directory };
        options.Settings["authorizer.class.name"] = AuthorizerClass;
        options.Settings["super.users"] = Anonymous;
        await using (var first = await KafkaBroker.StartAsync(options))
        {
            using var admin = Clients.Admin(first.BootstrapServers);
            await setup(first.BootstrapServers, admin);
        }

        var secured = new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["authorizer.class.name"] = AuthorizerClass };
        return await TestBroker.StartAsync(output, secured, directory);
    }

    public static AclBinding Allow(ResourceType type, string name, AclOperation operation, ResourcePatternType pattern = ResourcePatternType.Literal, string principal = Anonymous) =>
        Binding(type, name, operation, AclPermissionType.Allow, pattern, principal);

    public static AclBinding Deny(ResourceType type, string name, AclOperation operation, ResourcePatternType pattern = ResourcePatternType.Literal, string principal = Anonymous) =>
        Binding(type, name, operation, AclPermissionType.Deny, pattern, principal);

    private static AclBinding Binding(ResourceType type, string name, AclOperation operation, AclPermissionType permission, ResourcePatternType pattern, string principal) => new()
    {
        Pattern = new ResourcePattern { Type = type, Name = name, ResourcePatternType = pattern },
        Entry = new AccessControlEntry { Principal = principal, Host = "*", Operation = operation, PermissionType = permission },
    };

    public static async Task CreateTopicsAsync(IAdminClient admin, params string[] topics) =>
        await admin.CreateTopicsAsync(topics.Select(t => new TopicSpecification { Name = t, NumPartitions = 1, ReplicationFactor = 1 }));

    public static async Task ProduceAsync(string bootstrap, string topic, string value)
    {
        using var producer = Clients.Producer<Null, string>(bootstrap);
        await producer.ProduceAsync(topic, new Message<Null, string> { Value = value });
    }
}
