using System.Collections.Frozen;
using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>The handlers the broker serves, by API key. Adding an API = one handler file + one line here.</summary>
internal sealed class ApiRegistry
{
    private readonly FrozenDictionary<ApiKey, ApiHandler> _handlers;

    public ApiRegistry()
    {
        ApiHandler[] handlers =
        [
            new ProduceApi(),
            new FetchApi(),
            new ListOffsetsApi(),
            new MetadataApi(),
            new FindCoordinatorApi(),
            new ApiVersionsApi(this),
            new CreateTopicsApi(),
            new DeleteTopicsApi(),
            new DeleteRecordsApi(),
            new InitProducerIdApi(),
            new DescribeConfigsApi(),
            new AlterConfigsApi(),
            new CreatePartitionsApi(),
            new IncrementalAlterConfigsApi(),
            new OffsetCommitApi(),
            new OffsetFetchApi(),
            new JoinGroupApi(),
            new HeartbeatApi(),
            new LeaveGroupApi(),
            new SyncGroupApi(),
            new DescribeGroupsApi(),
            new ListGroupsApi(),
            new DeleteGroupsApi(),
            new OffsetDeleteApi(),

            // Authorization (issue 12).
            new DescribeAclsApi(),
            new CreateAclsApi(),
            new DeleteAclsApi(),
            new DescribeClusterApi(),
            new SaslHandshakeApi(),
            new SaslAuthenticateApi(),
            new DescribeUserScramCredentialsApi(),
            new AlterUserScramCredentialsApi(),

            // Transactions (issue 15).
            new AddPartitionsToTxnApi(),
            new AddOffsetsToTxnApi(),
            new EndTxnApi(),
            new TxnOffsetCommitApi(),
            new DescribeTransactionsApi(),
            new ListTransactionsApi(),
            new WriteTxnMarkersApi(),
            new DescribeProducersApi(),

            // Single-node answers to cluster administration (issue 16).
            new ElectLeadersApi(),
            new DescribeLogDirsApi(),

            // KIP-848 consumer groups (issue 16).
            new ConsumerGroupHeartbeatApi(),
            new ConsumerGroupDescribeApi(),
        ];
        _handlers = handlers.ToFrozenDictionary(h => h.Key);
    }

    public IEnumerable<ApiHandler> Handlers => _handlers.Values.OrderBy(h => h.Key);

    public ApiHandler? Find(short apiKey) => _handlers.GetValueOrDefault((ApiKey)apiKey);
}
