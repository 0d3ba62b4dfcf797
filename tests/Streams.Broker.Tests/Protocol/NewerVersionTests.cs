using Confluent.Kafka;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Records;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests.Protocol;

/// <summary>
/// The newer versions of the data-path APIs, sent as frames written field by field from each version's layout in
/// Kafka's message specs and read back the same way (so a mistake in our message definitions cannot hide behind the
/// generated codec on both ends): ApiVersions v3/v4 features, Produce v9/v10 with KIP-467 record errors, Fetch v12
/// by name and v13/v16 by topic id. librdkafka's choice of these versions is checked in <see cref="ClientVersionTests"/>.
/// </summary>
public sealed class NewerVersionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "newer";
    private const string Compacted = "newer-compacted";
    private const string Recent = "newer-recent";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Compacted, configs: new() { ["cleanup.policy"] = "compact" });
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Recent, configs: new() { ["message.timestamp.before.max.ms"] = "3600000", ["message.timestamp.after.max.ms"] = "3600000" });
    }

    public Task DisposeAsync() => _broker.DisposeAsync().AsTask();

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ApiVersions_reports_the_features_of_a_single_node_Kafka_4_cluster(short version)
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var reader = await connection.RequestAsync(ApiKey.ApiVersions, version, w =>
        {
            w.WriteString("newer-test");
            w.WriteString("1.0");
            w.WriteTaggedFields();
        }, flexible: true);
        var response = ApiVersionsResponse.Read(ref reader, version);

        Assert.Equal(ErrorCode.None, response.ErrorCode);
        var supported = response.SupportedFeatures.ToDictionary(f => f.Name, f => (f.MinVersion, f.MaxVersion));
        var finalized = response.FinalizedFeatures.ToDictionary(f => f.Name, f => (f.MinVersionLevel, f.MaxVersionLevel));
        Assert.Equal(((short)7, (short)25), supported["metadata.version"]);
        Assert.Equal(((short)25, (short)25), finalized["metadata.version"]);

        // KIP-848 groups are served, so group.version is finalized at 1; transaction.version 2 needs Produce v12.
        Assert.Equal(((short)1, (short)1), finalized["group.version"]);
        Assert.False(finalized.ContainsKey("transaction.version"));
        Assert.True(response.FinalizedFeaturesEpoch >= 0);

        // v3 leaves out supported features whose minimum is 0 (older clients cannot parse them); v4 lists them.
        Assert.Equal(version >= 4, supported.ContainsKey("group.version"));
        if (version >= 4)
        {
            Assert.Equal(((short)0, (short)1), supported["group.version"]);
            Assert.Equal(((short)0, (short)0), supported["transaction.version"]);
        }
    }

    [Fact]
    public async Task ApiVersions_v0_carries_no_features()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var reader = await connection.RequestAsync(ApiKey.ApiVersions, 0, _ => { });

        Assert.Equal(ErrorCode.None, (ErrorCode)reader.ReadInt16());
        var count = reader.ReadArrayLength();
        Assert.True(count > 20);
        reader.Skip(count * 6);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public async Task An_ApiVersions_version_above_ours_is_answered_with_UNSUPPORTED_VERSION_and_our_range_per_KIP_511()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        // A future client sends its newest version, flexible; the answer is v0-shaped so any client can read it.
        var reader = await connection.RequestAsync(ApiKey.ApiVersions, 99, w =>
        {
            w.WriteString("future");
            w.WriteString("9.9");
            w.WriteTaggedFields();
        }, flexible: true);

        Assert.Equal(ErrorCode.UnsupportedVersion, (ErrorCode)reader.ReadInt16());
        Assert.Equal(1, reader.ReadInt32()); // a v0 array: int32 length, whatever the request's flexibility
        Assert.Equal((short)ApiKey.ApiVersions, reader.ReadInt16());
        Assert.Equal((short)0, reader.ReadInt16());
        Assert.Equal(ApiVersionsRequest.HighestVersion, reader.ReadInt16());
        Assert.Equal((short)4, ApiVersionsRequest.HighestVersion);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    public async Task Produce_flexible_appends_and_answers_in_compact_form(short version)
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var batch = new RecordBatchBuilder().Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "k"u8.ToArray(), "v"u8.ToArray()).Build();

        var partition = await ProduceFlexibleAsync(connection, version, Topic, batch);

        Assert.Equal(ErrorCode.None, partition.Error);
        Assert.True(partition.BaseOffset >= 0);
        Assert.Empty(partition.RecordErrors);
        Assert.Null(partition.ErrorMessage);
    }

    [Fact]
    public async Task Produce_v9_to_a_compacted_topic_names_the_record_without_a_key_KIP_467()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var batch = new RecordBatchBuilder()
            .Add(now, "a"u8.ToArray(), "1"u8.ToArray())
            .Add(now, null, "2"u8.ToArray())
            .Add(now, "c"u8.ToArray(), "3"u8.ToArray())
            .Add(now, null, "4"u8.ToArray())
            .Build();

        var partition = await ProduceFlexibleAsync(connection, 9, Compacted, batch);

        Assert.Equal(ErrorCode.InvalidRecord, partition.Error);
        Assert.Equal(-1, partition.BaseOffset);
        Assert.Equal([1, 3], partition.RecordErrors.Select(e => e.Index));
        Assert.All(partition.RecordErrors, e => Assert.Contains("null key", e.Message, StringComparison.Ordinal));
        Assert.Contains("2 records", partition.ErrorMessage, StringComparison.Ordinal);

        // Nothing of the refused batch is in the log.
        var fetched = await RawRequests.FetchAsync(connection, Compacted, 0, 0);
        Assert.Equal((ErrorCode.None, 0L), (fetched.Error, fetched.HighWatermark));
    }

    [Fact]
    public async Task Produce_v10_refuses_a_batch_with_a_timestamp_outside_the_topic_range_with_INVALID_TIMESTAMP()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var batch = new RecordBatchBuilder()
            .Add(now, "a"u8.ToArray(), "1"u8.ToArray())
            .Add(now - 7_200_000, "b"u8.ToArray(), "2"u8.ToArray())
            .Build();

        var refused = await ProduceFlexibleAsync(connection, 10, Recent, batch);
        var accepted = await ProduceFlexibleAsync(connection, 10, Recent, new RecordBatchBuilder().Add(now, "a"u8.ToArray(), "1"u8.ToArray()).Build());

        Assert.Equal(ErrorCode.InvalidTimestamp, refused.Error);
        var error = Assert.Single(refused.RecordErrors);
        Assert.Equal(1, error.Index);
        Assert.Contains("timestamp", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, refused.ErrorMessage);
        Assert.Equal((ErrorCode.None, 0L), (accepted.Error, accepted.BaseOffset));
    }

    [Fact]
    public async Task Produce_v8_still_reports_record_errors_in_its_fixed_layout()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var batch = new RecordBatchBuilder().Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, "v"u8.ToArray()).Build();

        var reader = await connection.RequestAsync(ApiKey.Produce, 8, w =>
        {
            w.WriteNullableString(null);
            w.WriteInt16(-1);
            w.WriteInt32(5000);
            w.WriteArrayLength(1);
            w.WriteString(Compacted);
            w.WriteArrayLength(1);
            w.WriteInt32(0);
            w.WriteBytes(batch);
        });
        var response = ProduceResponse.Read(ref reader, 8);

        var partition = Assert.Single(Assert.Single(response.Responses).PartitionResponses);
        Assert.Equal(ErrorCode.InvalidRecord, partition.ErrorCode);
        Assert.Equal(0, Assert.Single(partition.RecordErrors).BatchIndex);
    }

    [Fact]
    public async Task Fetch_v12_by_name_and_v13_and_v16_by_topic_id_return_the_same_records()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await ProduceFlexibleAsync(connection, 9, Topic, new RecordBatchBuilder().Add(now, "k"u8.ToArray(), "fetch-me"u8.ToArray()).Build());
        var topicId = await TopicIdAsync(connection, Topic);
        Assert.NotEqual(Guid.Empty, topicId);

        var byName = await FetchFlexibleAsync(connection, 12, Topic, Guid.Empty);
        var byId = await FetchFlexibleAsync(connection, 13, null, topicId);
        var byIdV16 = await FetchFlexibleAsync(connection, 16, null, topicId);

        Assert.Equal((Topic, Guid.Empty, ErrorCode.None), (byName.Name, byName.Id, byName.Error));
        Assert.Equal((topicId, ErrorCode.None), (byId.Id, byId.Error));
        Assert.Equal((topicId, ErrorCode.None), (byIdV16.Id, byIdV16.Error));
        Assert.True(byName.HighWatermark >= 1);
        Assert.Equal(byName.HighWatermark, byId.HighWatermark);
        Assert.Equal(byName.Records, byId.Records);
        Assert.Equal(byName.Records, byIdV16.Records);
        Assert.True(Contains(byId.Records, "fetch-me"u8));
    }

    [Fact]
    public async Task Fetch_v13_with_an_id_no_topic_has_answers_UNKNOWN_TOPIC_ID_under_that_id()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var unknown = Guid.NewGuid();

        var result = await FetchFlexibleAsync(connection, 13, null, unknown);

        Assert.Equal((unknown, ErrorCode.UnknownTopicId), (result.Id, result.Error));
        Assert.Empty(result.Records);
    }

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static async Task<Guid> TopicIdAsync(RawConnection connection, string topic)
    {
        var metadata = await connection.SendAsync<MetadataRequest, MetadataResponse>(
            new MetadataRequest { Topics = [new MetadataRequest.Topic { Name = topic }], AllowAutoTopicCreation = false }, 12);
        return Assert.Single(metadata!.Topics).TopicId;
    }

    private sealed record ProducedPartition(ErrorCode Error, long BaseOffset, List<(int Index, string? Message)> RecordErrors, string? ErrorMessage);

    /// <summary>Produce v9+ of one batch to partition 0, request and response written and read field by field.</summary>
    private static async Task<ProducedPartition> ProduceFlexibleAsync(RawConnection connection, short version, string topic, byte[] batch)
    {
        var reader = await connection.RequestAsync(ApiKey.Produce, version, w =>
        {
            w.WriteNullableString(null); // TransactionalId
            w.WriteInt16(-1); // Acks
            w.WriteInt32(5000); // TimeoutMs
            w.WriteArrayLength(1); // TopicData
            w.WriteString(topic);
            w.WriteArrayLength(1); // PartitionData
            w.WriteInt32(0);
            w.WriteBytes(batch); // Records: compact bytes
            w.WriteTaggedFields();
            w.WriteTaggedFields();
            w.WriteTaggedFields();
        }, flexible: true);

        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(topic, reader.ReadString());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(0, reader.ReadInt32());
        var error = (ErrorCode)reader.ReadInt16();
        var baseOffset = reader.ReadInt64();
        reader.ReadInt64(); // LogAppendTimeMs
        reader.ReadInt64(); // LogStartOffset
        var recordErrors = new List<(int, string?)>();
        for (var count = reader.ReadArrayLength(); count > 0; count--)
        {
            recordErrors.Add((reader.ReadInt32(), reader.ReadNullableString()));
            reader.SkipTaggedFields();
        }

        var message = reader.ReadNullableString();
        reader.SkipTaggedFields(); // partition (v10's CurrentLeader would be here, only with NOT_LEADER_OR_FOLLOWER)
        reader.SkipTaggedFields(); // topic
        Assert.Equal(0, reader.ReadInt32()); // ThrottleTimeMs
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
        return new ProducedPartition(error, baseOffset, recordErrors, message);
    }

    private sealed record FetchedPartition(string? Name, Guid Id, ErrorCode Error, long HighWatermark, byte[] Records);

    /// <summary>Fetch v12+ of partition 0 from offset 0, by name (v12) or id (v13+), written and read field by field.</summary>
    private static async Task<FetchedPartition> FetchFlexibleAsync(RawConnection connection, short version, string? name, Guid id)
    {
        var reader = await connection.RequestAsync(ApiKey.Fetch, version, w =>
        {
            if (version <= 14)
            {
                w.WriteInt32(-1); // ReplicaId (v15+ moves it into the ReplicaState tag)
            }

            w.WriteInt32(0); // MaxWaitMs
            w.WriteInt32(0); // MinBytes
            w.WriteInt32(1 << 20); // MaxBytes
            w.WriteInt8(0); // IsolationLevel
            w.WriteInt32(0); // SessionId
            w.WriteInt32(-1); // SessionEpoch
            w.WriteArrayLength(1);
            if (version >= 13)
            {
                w.WriteUuid(id);
            }
            else
            {
                w.WriteString(name!);
            }

            w.WriteArrayLength(1);
            w.WriteInt32(0); // Partition
            w.WriteInt32(-1); // CurrentLeaderEpoch
            w.WriteInt64(0); // FetchOffset
            w.WriteInt32(-1); // LastFetchedEpoch
            w.WriteInt64(-1); // LogStartOffset
            w.WriteInt32(1 << 20); // PartitionMaxBytes
            w.WriteTaggedFields();
            w.WriteTaggedFields();
            w.WriteArrayLength(0); // ForgottenTopicsData
            w.WriteString(""); // RackId
            w.WriteTaggedFields();
        }, flexible: true);

        reader.ReadInt32(); // ThrottleTimeMs
        Assert.Equal(ErrorCode.None, (ErrorCode)reader.ReadInt16());
        Assert.Equal(0, reader.ReadInt32()); // SessionId
        Assert.Equal(1, reader.ReadArrayLength());
        var topicName = version >= 13 ? null : reader.ReadString();
        var topicId = version >= 13 ? reader.ReadUuid() : Guid.Empty;
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(0, reader.ReadInt32());
        var error = (ErrorCode)reader.ReadInt16();
        var highWatermark = reader.ReadInt64();
        reader.ReadInt64(); // LastStableOffset
        reader.ReadInt64(); // LogStartOffset
        Assert.Null(reader.ReadNullableArray((ref KafkaReader r) => r.ReadInt64())); // AbortedTransactions (read_uncommitted: null)
        Assert.Equal(-1, reader.ReadInt32()); // PreferredReadReplica
        var records = reader.ReadNullableBytes()?.ToArray() ?? [];
        reader.SkipTaggedFields();
        reader.SkipTaggedFields();
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
        return new FetchedPartition(topicName, topicId, error, highWatermark, records);
    }
}
