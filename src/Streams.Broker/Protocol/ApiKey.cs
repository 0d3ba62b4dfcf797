namespace Streams.Broker.Protocol;

/// <summary>Kafka API keys this broker knows by name.</summary>
public enum ApiKey : short
{
    Produce = 0,
    Fetch = 1,
    ListOffsets = 2,
    Metadata = 3,
    OffsetCommit = 8,
    OffsetFetch = 9,
    FindCoordinator = 10,
    JoinGroup = 11,
    Heartbeat = 12,
    LeaveGroup = 13,
    SyncGroup = 14,
    DescribeGroups = 15,
    ListGroups = 16,
    ApiVersions = 18,
    CreateTopics = 19,
    DeleteTopics = 20,
    DeleteRecords = 21,
    InitProducerId = 22,
    DescribeAcls = 29,
    CreateAcls = 30,
    DeleteAcls = 31,
    DescribeConfigs = 32,
    AlterConfigs = 33,
    DescribeLogDirs = 35,
    CreatePartitions = 37,
    DeleteGroups = 42,
    ElectLeaders = 43,
    IncrementalAlterConfigs = 44,
    OffsetDelete = 47,
    DescribeCluster = 60,
    SaslHandshake = 17,

    // Transactions (issue 15).
    AddPartitionsToTxn = 24,
    AddOffsetsToTxn = 25,
    EndTxn = 26,
    TxnOffsetCommit = 28,
    DescribeTransactions = 65,
    ListTransactions = 66,
    WriteTxnMarkers = 27,
    DescribeProducers = 61,
    SaslAuthenticate = 36,
    DescribeUserScramCredentials = 50,
    AlterUserScramCredentials = 51,

    // KIP-848 consumer groups (issue 16).
    ConsumerGroupHeartbeat = 68,
    ConsumerGroupDescribe = 69,
}
