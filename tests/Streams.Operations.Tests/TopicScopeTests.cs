using Streams.Operations.Offsets;

namespace Streams.Operations.Tests;

/// <summary>kafka-consumer-groups' scope syntax: <c>topic</c> or <c>topic:0,1</c>.</summary>
public sealed class TopicScopeTests
{
    [Theory]
    [InlineData("orders", "orders", null)]
    [InlineData("orders:0", "orders", new[] { 0 })]
    [InlineData("orders:0, 2", "orders", new[] { 0, 2 })]
    [InlineData("ns:orders:1", "ns:orders", new[] { 1 })]
    public void Reads_a_topic_and_its_partitions(string value, string topic, int[]? partitions)
    {
        Assert.True(TopicScope.TryParse(value, out var scope));
        Assert.Equal(topic, scope.Topic);
        Assert.Equal(partitions, scope.Partitions);
    }

    [Theory]
    [InlineData("orders:")]
    [InlineData(":0")]
    [InlineData("orders:a")]
    [InlineData("orders:-1")]
    public void Refuses_a_partition_list_that_is_not_one(string value) =>
        Assert.False(TopicScope.TryParse(value, out _));
}
