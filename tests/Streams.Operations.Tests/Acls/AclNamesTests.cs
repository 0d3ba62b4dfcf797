using Confluent.Kafka.Admin;
using Streams.Operations.Acls;

namespace Streams.Operations.Tests.Acls;

/// <summary>kafka-acls.sh's names for operations and principals.</summary>
public sealed class AclNamesTests
{
    [Theory]
    [InlineData("Read", AclOperation.Read)]
    [InlineData("write", AclOperation.Write)]
    [InlineData("IDEMPOTENTWRITE", AclOperation.IdempotentWrite)]
    [InlineData("describe-configs", AclOperation.DescribeConfigs)]
    [InlineData("All", AclOperation.All)]
    public void Reads_operations_as_kafka_acls_does(string value, AclOperation expected)
    {
        Assert.True(AclNames.TryParseOperation(value, out var operation));
        Assert.Equal(expected, operation);
    }

    [Theory]
    [InlineData("Any")]
    [InlineData("Unknown")]
    [InlineData("Fly")]
    public void Refuses_filter_only_and_unknown_operations(string value) =>
        Assert.False(AclNames.TryParseOperation(value, out _));

    [Theory]
    [InlineData("User:alice", true)]
    [InlineData("User:*", true)]
    [InlineData("alice", false)]
    [InlineData("User:", false)]
    [InlineData(":alice", false)]
    public void A_principal_is_type_and_name(string value, bool valid) =>
        Assert.Equal(valid, AclNames.IsPrincipal(value));
}
