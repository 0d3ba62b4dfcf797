using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Playwright;
using Streams.Broker;

namespace Streams.KafkaConsole.Tests;

/// <summary>
/// A secured cluster as <c>SecuredClusterFixture</c> of the CLI tests makes it (authorizer on, no ACL means no access):
/// a PLAINTEXT listener where the test and the registry act as ANONYMOUS, a super user; a SASL_PLAINTEXT listener
/// with SCRAM users alice (a few ACLs) and admin (a super user). <c>streams console</c> runs against the SASL
/// listener, so each browser signs in.
/// </summary>
public sealed class SecuredConsoleFixture() : ConsoleClusterFixture("secured-console.log")
{
    public const string AlicePassword = "alice-secret";
    public const string AdminPassword = "admin-secret";

    /// <summary>The SASL_PLAINTEXT listener (SCRAM-SHA-256).</summary>
    public string SaslBootstrap => Broker.BootstrapServersFor("SASL_PLAINTEXT");

    protected override BrokerOptions BrokerOptions(string dataDirectory)
    {
        var options = new BrokerOptions { Port = 0, DataDirectory = dataDirectory };
        options.Settings["listeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0";
        options.Settings["sasl.enabled.mechanisms"] = "SCRAM-SHA-256";
        options.Settings["authorizer.class.name"] = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
        options.Settings["super.users"] = "User:ANONYMOUS;User:admin";
        options.Settings["allow.everyone.if.no.acl.found"] = "false";
        options.ScramUsers.Add($"SCRAM-SHA-256=[name=alice,password={AlicePassword}]");
        options.ScramUsers.Add($"SCRAM-SHA-256=[name=admin,password={AdminPassword}]");
        return options;
    }

    protected override IEnumerable<string> ConsoleArguments() =>
        ["--bootstrap", SaslBootstrap, "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=SCRAM-SHA-256"];

    /// <summary>Signs in on the sign-in page <paramref name="page"/> shows.</summary>
    public static async Task SignInAsync(IPage page, string user, string password)
    {
        await page.FillAsync("input[name='user']", user);
        await page.FillAsync("input[name='password']", password);
        await page.ClickAsync("#sign-in-button");
    }

    public async Task ProduceAsync(string topic, int count, string prefix = "v")
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build();
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"{prefix}{i}" });
        }
    }

    /// <summary>Lets User:alice do <paramref name="operations"/> on the resource.</summary>
    public Task AllowAliceAsync(ResourceType type, string name, params AclOperation[] operations) =>
        AllowAliceAsync(type, name, ResourcePatternType.Literal, operations);

    /// <summary>Lets User:alice do <paramref name="operations"/> on the resources matching <paramref name="name"/>.</summary>
    public Task AllowAliceAsync(ResourceType type, string name, ResourcePatternType pattern, params AclOperation[] operations) =>
        Admin.CreateAclsAsync([.. operations.Select(operation => new AclBinding
        {
            Pattern = new ResourcePattern { Type = type, Name = name, ResourcePatternType = pattern },
            Entry = new AccessControlEntry { Principal = "User:alice", Host = "*", Operation = operation, PermissionType = AclPermissionType.Allow },
        })]);
}
