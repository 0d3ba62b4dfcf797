using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker;
using Streams.Registry;

namespace Streams.Cli.Tests.Support;

/// <summary>
/// One embedded broker and schema registry for every CLI test (starting them is most of a test's cost); tests keep
/// apart by using their own topic and group names.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-cli-tests", Guid.NewGuid().ToString("N"));
    private KafkaBroker _broker = null!;
    private SchemaRegistryHost _registry = null!;

    public string Bootstrap => _broker.BootstrapServers;

    public string RegistryUrl => _registry.Url;

    public IAdminClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _broker = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = _dataDirectory });
        _registry = await SchemaRegistryHost.StartAsync(new SchemaRegistryOptions { KafkaBootstrapServers = _broker.BootstrapServers, Listen = "http://127.0.0.1:0" });
        Admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await _registry.DisposeAsync();
        await _broker.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Runs <c>streams</c> in-process against this cluster.</summary>
    public async Task<CliRun> RunAsync(params string[] args) => await RunWithInputAsync(null, args);

    public Task<CliRun> RunWithInputAsync(string? input, params string[] args) => RunWithInputAsync(input, CancellationToken.None, args);

    public async Task<CliRun> RunWithInputAsync(string? input, CancellationToken cancellationToken, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = input is null ? null : new StringReader(input);
        var exitCode = await StreamsCli.RunAsync([.. args, "--bootstrap", Bootstrap, "--registry", RegistryUrl], output, error, reader, cancellationToken);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    public async Task CreateTopicAsync(string topic, int partitions, Dictionary<string, string>? configs = null)
    {
        await Admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs }]);
    }

    /// <summary>Writes <paramref name="count"/> records to each partition; record i has timestamp <paramref name="firstTimestamp"/> + i hours.</summary>
    public async Task ProduceAsync(string topic, int partitions, int count, DateTimeOffset firstTimestamp)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build();
        for (var partition = 0; partition < partitions; partition++)
        {
            for (var i = 0; i < count; i++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string, string>
                {
                    Key = $"k{i}",
                    Value = $"v{i}",
                    Timestamp = new Timestamp(firstTimestamp.AddHours(i).UtcDateTime),
                });
            }
        }
    }

    public async Task CommitAsync(string group, string topic, params long[] offsetsByPartition)
    {
        await Admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group,
            [.. offsetsByPartition.Select((offset, partition) => new TopicPartitionOffset(topic, partition, offset))])]);
    }

    public async Task<Dictionary<int, long>> CommittedAsync(string group, string topic)
    {
        var results = await Admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]);
        return results.SelectMany(r => r.Partitions)
            .Where(p => p.Topic == topic && p.Offset.Value >= 0)
            .ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
    }
}

/// <summary>What one CLI run printed and returned.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Output).RootElement;

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
