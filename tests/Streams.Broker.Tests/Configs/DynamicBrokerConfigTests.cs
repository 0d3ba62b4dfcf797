using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using static Streams.Broker.Tests.Security.Authorization.SecuredBroker;

namespace Streams.Broker.Tests.Configs;

/// <summary>
/// Dynamic broker configs (AlterConfigs / IncrementalAlterConfigs on the BROKER resource) through Confluent.Kafka's
/// admin client: per-broker and cluster-default layers, Kafka's precedence and synonyms in DescribeConfigs, Kafka's
/// refusals, validateOnly, persistence across a restart, and the settings taking effect without one.
/// </summary>
public sealed class DynamicBrokerConfigTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly ConfigResource Node = new() { Type = ResourceType.Broker, Name = "1" };

    // librdkafka insists on a numeric broker name, so the cluster-wide default (empty name) is reached with raw frames.
    private const string ClusterDefault = "";

    private TestBroker _broker = null!;
    private IAdminClient _admin = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["log.retention.hours"] = "48" });
        _admin = Clients.Admin(_broker.BootstrapServers);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _broker.DisposeAsync();
    }

    private Task SetAsync(ConfigResource resource, params (string Name, string? Value, AlterConfigOpType Op)[] ops) =>
        _admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = [.. ops.Select(o => new ConfigEntry { Name = o.Name, Value = o.Value, IncrementalOperation = o.Op })],
        });

    private async Task<Dictionary<string, ConfigEntryResult>> DescribeAsync(ConfigResource resource) =>
        (await _admin.DescribeConfigsAsync([resource]))[0].Entries;

    /// <summary>IncrementalAlterConfigs v1 on a broker resource by name, as a raw frame; the broker's error and message.</summary>
    private async Task<(Streams.Broker.Protocol.ErrorCode Code, string? Message)> SetRawAsync(string name, bool validateOnly, params (string Name, string? Value, AlterConfigOpType Op)[] ops)
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var response = await connection.SendAsync<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.Resource
                {
                    ResourceType = 4,
                    ResourceName = name,
                    Configs = [.. ops.Select(o => new IncrementalAlterConfigsRequest.Config { Name = o.Name, Value = o.Value, ConfigOperation = (sbyte)o.Op })],
                },
            ],
            ValidateOnly = validateOnly,
        }, 1);
        var result = Assert.Single(response!.Responses);
        return (result.ErrorCode, result.ErrorMessage);
    }

    private async Task SetAsync(string name, params (string Name, string? Value, AlterConfigOpType Op)[] ops)
    {
        var (code, message) = await SetRawAsync(name, false, ops);
        Assert.True(code == Streams.Broker.Protocol.ErrorCode.None, $"{code}: {message}");
    }

    /// <summary>DescribeConfigs v4 with synonyms of a broker resource by name, as a raw frame.</summary>
    private async Task<Dictionary<string, DescribeConfigsResponse.Config>> DescribeRawAsync(string name)
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var response = await connection.SendAsync<DescribeConfigsRequest, DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.Resource { ResourceType = 4, ResourceName = name, ConfigurationKeys = null }],
            IncludeSynonyms = true,
        }, 4);
        var result = Assert.Single(response!.Results);
        Assert.Equal(Streams.Broker.Protocol.ErrorCode.None, result.ErrorCode);
        return result.Configs.ToDictionary(c => c.Name);
    }

    private async Task<Error> RefusedAsync(ConfigResource resource, params (string Name, string? Value, AlterConfigOpType Op)[] ops) =>
        Assert.Single((await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => SetAsync(resource, ops))).Results).Error;

    [Fact]
    public async Task A_dynamic_topic_default_reaches_topics_without_an_override_with_Kafkas_source_and_synonyms()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "plain");
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "overridden", configs: new() { ["retention.ms"] = "5000" });

        await SetAsync(Node, ("log.retention.ms", "3600000", AlterConfigOpType.Set));

        var plain = (await DescribeAsync(new ConfigResource { Type = ResourceType.Topic, Name = "plain" }))["retention.ms"];
        Assert.Equal("3600000", plain.Value);
        Assert.Equal(ConfigSource.DynamicBrokerConfig, plain.Source);
        Assert.Equal(
            [("log.retention.ms", "3600000", ConfigSource.DynamicBrokerConfig), ("log.retention.hours", "48", ConfigSource.StaticBrokerConfig), ("log.retention.hours", "168", ConfigSource.DefaultConfig)],
            plain.Synonyms.Select(s => (s.Name, s.Value, s.Source)));
        var overridden = (await DescribeAsync(new ConfigResource { Type = ResourceType.Topic, Name = "overridden" }))["retention.ms"];
        Assert.Equal("5000", overridden.Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, overridden.Source);

        var broker = await DescribeAsync(Node);
        Assert.Equal("3600000", broker["log.retention.ms"].Value);
        Assert.Equal(ConfigSource.DynamicBrokerConfig, broker["log.retention.ms"].Source);
        Assert.False(broker["log.retention.ms"].IsReadOnly);
        Assert.True(broker["num.partitions"].IsReadOnly);
        // Kafka lists synonyms from the described name on: the hours setting does not show the millisecond one.
        Assert.Equal([("log.retention.hours", "48", ConfigSource.StaticBrokerConfig), ("log.retention.hours", "168", ConfigSource.DefaultConfig)],
            broker["log.retention.hours"].Synonyms.Select(s => (s.Name, s.Value, s.Source)));
    }

    [Fact]
    public async Task The_broker_value_wins_over_the_cluster_default_and_the_empty_name_describes_only_the_defaults()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "sized");
        await SetAsync(ClusterDefault, ("message.max.bytes", "200000", AlterConfigOpType.Set));
        await SetAsync(Node, ("message.max.bytes", "300000", AlterConfigOpType.Set));

        var broker = (await DescribeAsync(Node))["message.max.bytes"];
        Assert.Equal("300000", broker.Value);
        Assert.Equal(
            [("message.max.bytes", "300000", ConfigSource.DynamicBrokerConfig), ("message.max.bytes", "200000", ConfigSource.DynamicDefaultBrokerConfig), ("message.max.bytes", "1048588", ConfigSource.DefaultConfig)],
            broker.Synonyms.Select(s => (s.Name, s.Value, s.Source)));
        var onlyDefault = Assert.Single((await DescribeRawAsync(ClusterDefault)).Values);
        Assert.Equal(("message.max.bytes", "200000", (sbyte)ConfigSource.DynamicDefaultBrokerConfig), (onlyDefault.Name, onlyDefault.Value, onlyDefault.ConfigSource));
        Assert.Equal([("message.max.bytes", "200000", (sbyte)ConfigSource.DynamicDefaultBrokerConfig)], onlyDefault.Synonyms.Select(s => (s.Name, s.Value, s.Source)));
        Assert.Equal("300000", (await DescribeAsync(new ConfigResource { Type = ResourceType.Topic, Name = "sized" }))["max.message.bytes"].Value);

        await SetAsync(Node, ("message.max.bytes", null, AlterConfigOpType.Delete));

        var topic = (await DescribeAsync(new ConfigResource { Type = ResourceType.Topic, Name = "sized" }))["max.message.bytes"];
        Assert.Equal(("200000", ConfigSource.DynamicDefaultBrokerConfig), (topic.Value, topic.Source));
    }

    [Fact]
    public async Task Message_max_bytes_changed_at_run_time_refuses_larger_records_at_once_and_lifts_when_deleted()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "limited");
        using var producer = Clients.Producer<Null, string>(_broker.BootstrapServers);
        var large = new string('x', 5000);
        await producer.ProduceAsync("limited", new Message<Null, string> { Value = large });

        await SetAsync(ClusterDefault, ("message.max.bytes", "2000", AlterConfigOpType.Set));
        var refused = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => producer.ProduceAsync("limited", new Message<Null, string> { Value = large }));
        Assert.Equal(ErrorCode.MsgSizeTooLarge, refused.Error.Code);
        await producer.ProduceAsync("limited", new Message<Null, string> { Value = "small" });

        await SetAsync(ClusterDefault, ("message.max.bytes", null, AlterConfigOpType.Delete));
        var accepted = await producer.ProduceAsync("limited", new Message<Null, string> { Value = large });
        Assert.Equal(PersistenceStatus.Persisted, accepted.Status);
    }

    [Fact]
    public async Task Max_connections_per_ip_changed_at_run_time_closes_connections_over_the_new_limit()
    {
        using var first = await RawConnection.ConnectAsync(_broker.Broker);
        using var second = await RawConnection.ConnectAsync(_broker.Broker);
        Assert.NotNull(await first.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 2));

        await SetAsync(ClusterDefault, ("max.connections.per.ip", "2", AlterConfigOpType.Set));

        // The admin client holds connections of its own from this address; the limit counts them too.
        using var over = await RawConnection.ConnectAsync(_broker.Broker);
        Assert.True(await over.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)), "a connection over the dynamic limit should be closed");
        Assert.NotNull(await first.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 2));
    }

    [Fact]
    public async Task Settings_that_are_not_dynamic_and_bad_names_or_values_get_Kafkas_errors()
    {
        var fixedSetting = await RefusedAsync(Node, ("num.partitions", "3", AlterConfigOpType.Set), ("log.cleaner.backoff.ms", "1000", AlterConfigOpType.Set));
        Assert.Equal(ErrorCode.InvalidRequest, fixedSetting.Code);
        Assert.Equal("Cannot update these configs dynamically: Set(num.partitions)", fixedSetting.Reason);

        var hours = await SetRawAsync(ClusterDefault, false, ("log.retention.hours", "1", AlterConfigOpType.Set));
        Assert.Equal((Streams.Broker.Protocol.ErrorCode.InvalidRequest, "Cannot update these configs dynamically: Set(log.retention.hours)"), hours);

        var badValue = await RefusedAsync(Node, ("log.cleaner.backoff.ms", "soon", AlterConfigOpType.Set));
        Assert.Equal(ErrorCode.InvalidRequest, badValue.Code);
        Assert.StartsWith("Invalid value soon for configuration log.cleaner.backoff.ms", badValue.Reason);

        var append = await RefusedAsync(Node, ("message.max.bytes", "5", AlterConfigOpType.Append));
        Assert.Equal(ErrorCode.InvalidConfig, append.Code);
        Assert.Equal("Config value append is not allowed for config key: message.max.bytes", append.Reason);

        Assert.Equal(
            (Streams.Broker.Protocol.ErrorCode.InvalidRequest, "Unexpected broker id, expected 1, but received 5"),
            await SetRawAsync("5", false, ("message.max.bytes", "5000", AlterConfigOpType.Set)));
        Assert.Equal(
            (Streams.Broker.Protocol.ErrorCode.InvalidRequest, "Node id must be an integer, but it is: x"),
            await SetRawAsync("x", false, ("message.max.bytes", "5000", AlterConfigOpType.Set)));

        // Nothing of a refused request was applied.
        Assert.Equal(ConfigSource.DefaultConfig, (await DescribeAsync(Node))["log.cleaner.backoff.ms"].Source);
    }

    [Fact]
    public async Task Validate_only_checks_without_applying()
    {
        await _admin.IncrementalAlterConfigsAsync(
            new Dictionary<ConfigResource, List<ConfigEntry>> { [Node] = [new ConfigEntry { Name = "log.cleaner.backoff.ms", Value = "1000", IncrementalOperation = AlterConfigOpType.Set }] },
            new IncrementalAlterConfigsOptions { ValidateOnly = true });
        var invalid = await SetRawAsync(ClusterDefault, validateOnly: true, ("num.io.threads", "4", AlterConfigOpType.Set));
        var valid = await SetRawAsync(ClusterDefault, validateOnly: true, ("log.cleaner.backoff.ms", "2000", AlterConfigOpType.Set));

        Assert.Equal(Streams.Broker.Protocol.ErrorCode.InvalidRequest, invalid.Code);
        Assert.Equal(Streams.Broker.Protocol.ErrorCode.None, valid.Code);
        var backoff = (await DescribeAsync(Node))["log.cleaner.backoff.ms"];
        Assert.Equal(("15000", ConfigSource.DefaultConfig), (backoff.Value, backoff.Source));
    }

    [Fact]
    public async Task Append_and_subtract_edit_a_list_and_legacy_alter_configs_replaces_the_whole_set()
    {
        await SetAsync(ClusterDefault, ("log.cleanup.policy", "compact", AlterConfigOpType.Append), ("log.cleaner.backoff.ms", "1000", AlterConfigOpType.Set));
        Assert.Equal("delete,compact", (await DescribeRawAsync(ClusterDefault))["log.cleanup.policy"].Value);
        await SetAsync(ClusterDefault, ("log.cleanup.policy", "delete", AlterConfigOpType.Subtract));
        Assert.Equal("compact", (await DescribeRawAsync(ClusterDefault))["log.cleanup.policy"].Value);

        await SetAsync(Node, ("log.cleanup.policy", "compact", AlterConfigOpType.Append), ("log.cleaner.backoff.ms", "1000", AlterConfigOpType.Set));
#pragma warning disable CS0618 // AlterConfigs is deprecated in the client but still what older tools send.
        await _admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [Node] = [new ConfigEntry { Name = "producer.id.expiration.ms", Value = "60000" }] });
#pragma warning restore CS0618

        var broker = await DescribeAsync(Node);
        Assert.Equal(["producer.id.expiration.ms"], broker.Values.Where(e => e.Source == ConfigSource.DynamicBrokerConfig).Select(e => e.Name));
        Assert.Equal(("compact", ConfigSource.DynamicDefaultBrokerConfig), (broker["log.cleanup.policy"].Value, broker["log.cleanup.policy"].Source));
        Assert.Equal(60000, _broker.Broker.Context.Config.ProducerIdExpirationMs);
    }

    [Fact]
    public async Task Dynamic_configs_are_persisted_and_applied_again_after_a_restart()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "kept");
        await SetAsync(Node, ("log.retention.ms", "7200000", AlterConfigOpType.Set));
        await SetAsync(ClusterDefault, ("log.cleaner.io.max.bytes.per.second", "1048576", AlterConfigOpType.Set));
        _admin.Dispose();

        await _broker.RestartAsync();
        _admin = Clients.Admin(_broker.BootstrapServers);

        var broker = await DescribeAsync(Node);
        Assert.Equal(("7200000", ConfigSource.DynamicBrokerConfig), (broker["log.retention.ms"].Value, broker["log.retention.ms"].Source));
        Assert.Equal(("1048576", ConfigSource.DynamicDefaultBrokerConfig), (broker["log.cleaner.io.max.bytes.per.second"].Value, broker["log.cleaner.io.max.bytes.per.second"].Source));
        Assert.Equal("7200000", (await DescribeAsync(new ConfigResource { Type = ResourceType.Topic, Name = "kept" }))["retention.ms"].Value);
        Assert.Equal(7_200_000, _broker.Broker.Context.Logs.GetTopic("kept")!.Config.RetentionMs);
    }

    [Fact]
    public async Task Altering_broker_configs_needs_AlterConfigs_on_the_cluster()
    {
        await using var secured = await StartAsync(output, (_, admin) =>
            admin.CreateAclsAsync([Allow(ResourceType.Broker, "kafka-cluster", AclOperation.DescribeConfigs)]));
        using var admin = Clients.Admin(secured.BootstrapServers);

        var denied = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [Node] = [new ConfigEntry { Name = "log.cleaner.backoff.ms", Value = "1000", IncrementalOperation = AlterConfigOpType.Set }],
        }));

        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, Assert.Single(denied.Results).Error.Code);
        Assert.Equal(ConfigSource.DefaultConfig, (await admin.DescribeConfigsAsync([Node]))[0].Entries["log.cleaner.backoff.ms"].Source);
    }
}
