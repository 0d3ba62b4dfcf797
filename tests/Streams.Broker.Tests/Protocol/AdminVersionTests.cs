using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests.Protocol;

/// <summary>
/// The newer admin versions as a single node answers them: CreateTopics v5-7 (configs, counts, topic id),
/// DescribeConfigs v3-4 (types, documentation), ElectLeaders (also through librdkafka's admin client) and
/// DescribeLogDirs with the sizes of the partition files on disk.
/// </summary>
public sealed class AdminVersionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(output);

    public Task DisposeAsync() => _broker.DisposeAsync().AsTask();

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    public async Task CreateTopics_v5_plus_answers_what_the_topic_got(short version)
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var name = $"created-v{version}";

        var response = await connection.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.Topic
            {
                Name = name, NumPartitions = 3, ReplicationFactor = -1,
                Configs = [new CreateTopicsRequest.Config { Name = "retention.ms", Value = "3600000" }],
            }],
        }, version);

        var topic = Assert.Single(response!.Topics);
        Assert.Equal((ErrorCode.None, 3, (short)1), (topic.ErrorCode, topic.NumPartitions, topic.ReplicationFactor));
        var configs = topic.Configs!.ToDictionary(c => c.Name);
        Assert.Equal(("3600000", (sbyte)1), (configs["retention.ms"].Value, configs["retention.ms"].ConfigSource)); // TOPIC_CONFIG
        Assert.Equal(("delete", (sbyte)5), (configs["cleanup.policy"].Value, configs["cleanup.policy"].ConfigSource)); // DEFAULT_CONFIG
        if (version >= 7)
        {
            var metadata = await connection.SendAsync<MetadataRequest, MetadataResponse>(
                new MetadataRequest { Topics = [new MetadataRequest.Topic { Name = name }] }, 12);
            Assert.NotEqual(Guid.Empty, topic.TopicId);
            Assert.Equal(Assert.Single(metadata!.Topics).TopicId, topic.TopicId);
        }
    }

    [Fact]
    public async Task CreateTopics_v7_validate_only_answers_the_configs_with_no_topic_id_and_creates_nothing()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var response = await connection.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.Topic { Name = "validated", NumPartitions = -1, ReplicationFactor = -1, Configs = [new CreateTopicsRequest.Config { Name = "cleanup.policy", Value = "compact" }] }],
            ValidateOnly = true,
        }, 7);
        var failed = await connection.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.Topic { Name = "refused", NumPartitions = 1, ReplicationFactor = 3 }],
        }, 7);

        var topic = Assert.Single(response!.Topics);
        Assert.Equal((ErrorCode.None, Guid.Empty, 1), (topic.ErrorCode, topic.TopicId, topic.NumPartitions));
        Assert.Equal("compact", Assert.Single(topic.Configs!, c => c.Name == "cleanup.policy").Value);
        Assert.Null(_broker.Broker.Context.Logs.GetTopic("validated"));
        var refused = Assert.Single(failed!.Topics);
        Assert.Equal((ErrorCode.InvalidReplicationFactor, -1, (short)-1), (refused.ErrorCode, refused.NumPartitions, refused.ReplicationFactor));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task DescribeConfigs_v3_plus_reports_types_and_documentation_when_asked(short version)
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "described");

        var response = await connection.SendAsync<DescribeConfigsRequest, DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources =
            [
                new DescribeConfigsRequest.Resource { ResourceType = 2, ResourceName = "described", ConfigurationKeys = ["retention.ms", "cleanup.policy", "compression.type"] },
                new DescribeConfigsRequest.Resource { ResourceType = 4, ResourceName = "1", ConfigurationKeys = ["auto.create.topics.enable", "num.partitions"] },
            ],
            IncludeDocumentation = true,
        }, version);
        var undocumented = await connection.SendAsync<DescribeConfigsRequest, DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.Resource { ResourceType = 2, ResourceName = "described", ConfigurationKeys = ["retention.ms"] }],
        }, version);

        var topic = response!.Results[0].Configs.ToDictionary(c => c.Name);
        var broker = response.Results[1].Configs.ToDictionary(c => c.Name);
        Assert.Equal(5, topic["retention.ms"].ConfigType); // LONG
        Assert.Equal(7, topic["cleanup.policy"].ConfigType); // LIST
        Assert.Equal(2, topic["compression.type"].ConfigType); // STRING
        Assert.Equal(1, broker["auto.create.topics.enable"].ConfigType); // BOOLEAN
        Assert.Equal(3, broker["num.partitions"].ConfigType); // INT
        Assert.All(topic.Values.Concat(broker.Values), c => Assert.False(string.IsNullOrEmpty(c.Documentation)));
        Assert.Null(Assert.Single(undocumented!.Results[0].Configs).Documentation);
    }

    [Fact]
    public async Task ElectLeaders_through_librdkafka_answers_ELECTION_NOT_NEEDED_for_a_partition_this_node_leads()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "elected", partitions: 2);
        using var admin = Clients.Admin(_broker.BootstrapServers);

        var error = await Assert.ThrowsAsync<ElectLeadersException>(() =>
            admin.ElectLeadersAsync(ElectionType.Preferred, [new TopicPartition("elected", 0), new TopicPartition("elected", 1)]));

        Assert.Equal(2, error.Results.TopicPartitions.Count);
        Assert.All(error.Results.TopicPartitions, p => Assert.Equal(Confluent.Kafka.ErrorCode.ElectionNotNeeded, p.Error.Code));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ElectLeaders_answers_each_named_partition_and_none_when_all_are_asked_for(short version)
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, $"elect-v{version}");
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var named = await connection.SendAsync<ElectLeadersRequest, ElectLeadersResponse>(new ElectLeadersRequest
        {
            ElectionType = 1,
            TopicPartitions = [new ElectLeadersRequest.TopicPartition { Topic = $"elect-v{version}", Partitions = [0, 7] }],
        }, version);
        var all = await connection.SendAsync<ElectLeadersRequest, ElectLeadersResponse>(new ElectLeadersRequest { TopicPartitions = null }, version);

        var results = Assert.Single(named!.ReplicaElectionResults).PartitionResult.ToDictionary(p => p.PartitionId, p => p.ErrorCode);
        Assert.Equal(ErrorCode.ElectionNotNeeded, results[0]);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, results[7]);
        Assert.Equal(ErrorCode.None, all!.ErrorCode);
        Assert.Empty(all.ReplicaElectionResults);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task DescribeLogDirs_reports_the_data_directory_with_each_partition_size_on_disk(short version)
    {
        var topic = $"logdirs-v{version}";
        await Clients.CreateTopicAsync(_broker.BootstrapServers, topic, partitions: 2);
        using (var producer = Clients.Producer<Null, string>(_broker.BootstrapServers))
        {
            for (var i = 0; i < 20; i++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<Null, string> { Value = new string('x', 500) });
            }
        }

        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var response = await connection.SendAsync<DescribeLogDirsRequest, DescribeLogDirsResponse>(new DescribeLogDirsRequest
        {
            Topics = [new DescribeLogDirsRequest.DescribableTopic { Topic = topic, Partitions = [0, 1, 5] }],
        }, version);

        var dir = Assert.Single(response!.Results);
        Assert.Equal(ErrorCode.None, dir.ErrorCode);
        Assert.Equal(Path.GetFullPath(_broker.DataDirectory), dir.LogDir);
        var partitions = Assert.Single(dir.Topics).Partitions.ToDictionary(p => p.PartitionIndex, p => p.PartitionSize);
        Assert.Equal([0, 1], partitions.Keys.Order());
        var onDisk = Directory.EnumerateFiles(Path.Combine(_broker.DataDirectory, $"{topic}-0"), "*.log").Sum(f => new FileInfo(f).Length);
        Assert.True(partitions[0] >= 20 * 500, $"partition 0 holds {partitions[0]} bytes");
        Assert.Equal(onDisk, partitions[0]);
        Assert.Equal(0, partitions[1]);
        if (version >= 4)
        {
            Assert.True(dir.TotalBytes > 0 && dir.UsableBytes > 0 && dir.UsableBytes <= dir.TotalBytes);
        }
    }
}
