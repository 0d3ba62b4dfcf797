using Microsoft.Extensions.Logging.Abstractions;
using Streams.Broker.Configs;
using Streams.Broker.Protocol;
using Streams.Broker.Security.Authentication.Scram;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Storage;

namespace Streams.Broker.Tests.Storage;

/// <summary>
/// The broker's JSON files (topic metadata, ACLs, SCRAM credentials) are read and written with compile-time
/// serializers (Native AOT). Data directories written before, by the reflection serializer, must keep working: each
/// test starts from a file exactly as that serializer wrote it, loads it, changes something and compares the file
/// written back with the same text.
/// </summary>
public sealed class PersistedJsonFormatTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private const string LegacyTopicJson = """
        {
          "Name": "legacy",
          "Id": "0b6d2f1e-6a53-4c3b-9c0e-5f0d3a1b2c4d",
          "Partitions": 2,
          "Configs": {
            "retention.ms": "-1"
          }
        }
        """;

    [Fact]
    public void Topic_metadata_written_by_the_reflection_serializer_loads_and_is_written_back_in_the_same_shape()
    {
        var topics = Path.Combine(_directory.Path, "meta", "topics");
        Directory.CreateDirectory(topics);
        File.WriteAllText(Path.Combine(topics, "legacy.json"), LegacyTopicJson);

        using (var logs = new LogManager(_directory.Path, new BrokerConfig(0, null), NullLoggerFactory.Instance, TimeProvider.System))
        {
            logs.Load();
            var topic = logs.GetTopic("legacy");
            Assert.NotNull(topic);
            Assert.Equal(Guid.Parse("0b6d2f1e-6a53-4c3b-9c0e-5f0d3a1b2c4d"), topic.Id);
            Assert.Equal(2, topic.Partitions.Count);
            Assert.Equal("-1", topic.Config.Overrides["retention.ms"]);

            Assert.Equal(ErrorCode.None, logs.SetTopicConfigs("legacy", new Dictionary<string, string?> { ["retention.ms"] = "-1", ["max.message.bytes"] = "100000" }, validateOnly: false).Error);
        }

        Assert.Equal(
            LegacyTopicJson.Replace("\"retention.ms\": \"-1\"", "\"retention.ms\": \"-1\",\n    \"max.message.bytes\": \"100000\"", StringComparison.Ordinal),
            File.ReadAllText(Path.Combine(topics, "legacy.json")));
    }

    private const string LegacyAclJson = """
        [
          {
            "resourceType": "Topic",
            "resourceName": "orders",
            "patternType": "Literal",
            "principal": "User:alice",
            "host": "*",
            "operation": "Read",
            "permission": "Allow"
          },
          {
            "resourceType": "Group",
            "resourceName": "billing-",
            "patternType": "Prefixed",
            "principal": "User:bob",
            "host": "10.0.0.1",
            "operation": "All",
            "permission": "Deny"
          }
        ]
        """;

    private static readonly AclBinding ReadOrders = new(AclResourceType.Topic, "orders", AclPatternType.Literal, "User:alice", "*", AclOperation.Read, AclPermissionType.Allow);
    private static readonly AclBinding DenyBilling = new(AclResourceType.Group, "billing-", AclPatternType.Prefixed, "User:bob", "10.0.0.1", AclOperation.All, AclPermissionType.Deny);

    private AclAuthorizer Authorizer() =>
        new(AuthorizerSettings.Parse("kafka.security.authorizer.AclAuthorizer", "", false), _directory.Path, NullLoggerFactory.Instance);

    [Fact]
    public void Acls_written_by_the_reflection_serializer_load_and_are_written_back_in_the_same_shape()
    {
        File.WriteAllText(Path.Combine(_directory.Path, "acls.json"), LegacyAclJson);

        var authorizer = Authorizer();
        Assert.Equal([ReadOrders, DenyBilling], authorizer.Acls);

        // Any change rewrites the whole file: delete the deny rule, then add it again.
        authorizer.Delete([new AclBindingFilter(AclResourceType.Any, null, AclPatternType.Any, "User:bob", null, AclOperation.Any, AclPermissionType.Any)]);
        Assert.All(authorizer.Create([DenyBilling]), Assert.Null);

        Assert.Equal(LegacyAclJson, File.ReadAllText(Path.Combine(_directory.Path, "acls.json")));
    }

    [Fact]
    public void Acl_enums_are_read_as_the_reflection_serializer_read_them_any_case_or_by_number()
    {
        File.WriteAllText(Path.Combine(_directory.Path, "acls.json"), """
            [{"resourceType": "topic", "resourceName": "orders", "patternType": "LITERAL", "principal": "User:alice", "host": "*", "operation": 3, "permission": "allow"}]
            """);

        Assert.Equal([ReadOrders], Authorizer().Acls);
    }

    // "+" is written escaped (the default encoder), as it was.
    private const string LegacyScramJson = """
        {
          "version": 1,
          "users": {
            "alice": {
              "SCRAM-SHA-256": {
                "salt": "\u002B\u002B\u002B\u002BAQID",
                "storedKey": "AAEC",
                "serverKey": "AwQF",
                "iterations": 4096
              }
            }
          }
        }
        """;

    [Fact]
    public void Scram_credentials_written_by_the_reflection_serializer_load_and_are_written_back_in_the_same_shape()
    {
        File.WriteAllText(Path.Combine(_directory.Path, ScramCredentialStore.FileName), LegacyScramJson);

        var store = new ScramCredentialStore(_directory.Path);
        var alice = store.Find("alice", ScramMechanism.Sha256);
        Assert.NotNull(alice);
        Assert.Equal([0xFB, 0xEF, 0xBE, 1, 2, 3], alice.Salt);
        Assert.Equal([0, 1, 2], alice.StoredKey);
        Assert.Equal([3, 4, 5], alice.ServerKey);
        Assert.Equal(4096, alice.Iterations);

        store.Apply([("bob", ScramMechanism.Sha512)], [("alice", ScramMechanism.Sha256, alice)]);

        Assert.Equal(LegacyScramJson, File.ReadAllText(Path.Combine(_directory.Path, ScramCredentialStore.FileName)));
        Assert.Equal(alice, new ScramCredentialStore(_directory.Path).Find("alice", ScramMechanism.Sha256), ScramCredentialComparer.Instance);
    }

    /// <summary>A credential's byte arrays compared by content (the record compares them by reference).</summary>
    private sealed class ScramCredentialComparer : IEqualityComparer<ScramCredential?>
    {
        public static readonly ScramCredentialComparer Instance = new();

        public bool Equals(ScramCredential? x, ScramCredential? y) =>
            x is not null && y is not null && x.Salt.SequenceEqual(y.Salt) && x.StoredKey.SequenceEqual(y.StoredKey) && x.ServerKey.SequenceEqual(y.ServerKey) && x.Iterations == y.Iterations;

        public int GetHashCode(ScramCredential? obj) => obj?.Iterations ?? 0;
    }
}
