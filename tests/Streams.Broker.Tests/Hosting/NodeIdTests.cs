using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Hosting;

/// <summary><c>node.id</c> / <c>broker.id</c> copied from a server.properties set the id clients see.</summary>
public sealed class NodeIdTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("node.id")]
    [InlineData("broker.id")]
    public async Task The_node_id_setting_is_the_id_in_metadata_and_broker_configs(string setting)
    {
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { [setting] = "0" });
        using var admin = Clients.Admin(broker.BootstrapServers);

        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        var configs = await admin.DescribeConfigsAsync([new Confluent.Kafka.Admin.ConfigResource { Type = Confluent.Kafka.Admin.ResourceType.Broker, Name = "0" }]);

        Assert.Equal(0, Assert.Single(metadata.Brokers).BrokerId);
        // Not metadata.OriginatingBrokerId: librdkafka reports the id of the connection that answered, and a bootstrap
        // connection only learns its id from this very response, so -1 is a legitimate answer (CI saw it once).
        Assert.Equal("0", Assert.Single(configs).Entries["broker.id"].Value);
        Assert.Equal("0", Assert.Single(configs).Entries["node.id"].Value);
    }

    [Theory]
    [InlineData("1", "2", "You must set `node.id` to the same value as `broker.id`.")]
    [InlineData("-3", null, "Invalid value -3 for configuration node.id: Value must be at least 0")]
    [InlineData("x", null, "Invalid value x for configuration node.id: Not a number of type INT")]
    public async Task A_bad_node_id_setting_stops_the_broker_with_Kafka_s_words(string nodeId, string? brokerId, string expected)
    {
        var settings = new Dictionary<string, string> { ["node.id"] = nodeId };
        if (brokerId is not null)
        {
            settings["broker.id"] = brokerId;
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestBroker.StartAsync(output, settings));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
