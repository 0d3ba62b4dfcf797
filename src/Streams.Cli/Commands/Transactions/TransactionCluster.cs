using Confluent.Kafka;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Cli.Infrastructure;
using Streams.Operations.Cluster;

namespace Streams.Cli.Commands.Transactions;

/// <summary>
/// The cluster as the transaction commands see it: brokers and partition leaders from the AdminClient's metadata,
/// and one <see cref="BrokerConnection"/> per broker asked, for the requests the AdminClient cannot send.
/// </summary>
internal sealed class TransactionCluster : IDisposable
{
    private readonly Dictionary<int, BrokerConnection> _connections = [];
    private readonly ConnectionSecurity _security;
    private readonly CancellationToken _cancellationToken;

    private TransactionCluster(Metadata metadata, ConnectionSecurity security, CancellationToken cancellationToken)
    {
        Metadata = metadata;
        _security = security;
        _cancellationToken = cancellationToken;
    }

    public Metadata Metadata { get; }

    /// <summary>The metadata, asked with the AdminClient; the raw connections get the same security settings (--config, -X).</summary>
    public static async Task<TransactionCluster> OpenAsync(CliSession session, CancellationToken cancellationToken)
    {
        var security = ConnectionSecurity.From(session.ClientProperties("transactions"));
        using var admin = session.CreateAdmin();
        return new TransactionCluster(await ClusterQueries.MetadataAsync(admin).ConfigureAwait(false), security, cancellationToken);
    }

    /// <summary>Sends a request to the broker with id <paramref name="brokerId"/>.</summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(int brokerId, TRequest request, short version)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : IKafkaMessage<TResponse>
    {
        if (!_connections.TryGetValue(brokerId, out var connection))
        {
            var broker = Metadata.Brokers.Find(b => b.BrokerId == brokerId) ?? throw new CliException($"Broker {brokerId} is not in the cluster metadata.");
            connection = await BrokerConnection.ConnectAsync(broker.Host, broker.Port, _security, _cancellationToken).ConfigureAwait(false);
            _connections[brokerId] = connection;
        }

        return await connection.SendAsync<TRequest, TResponse>(request, version, _cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The leader of a partition; a usage error when the partition does not exist.</summary>
    public int LeaderOf(string topic, int partition) =>
        Metadata.Topics.Find(t => t.Topic == topic)?.Partitions.Find(p => p.PartitionId == partition)?.Leader
        ?? throw CliException.Usage($"Partition {topic}-{partition} does not exist.");

    /// <summary>The broker coordinating <paramref name="transactionalId"/> (FindCoordinator v3, key type 1 = transaction).</summary>
    public async Task<int> CoordinatorOfAsync(string transactionalId)
    {
        var response = await SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
            Metadata.Brokers[0].BrokerId, new FindCoordinatorRequest { Key = transactionalId, KeyType = 1 }, 3).ConfigureAwait(false);
        return response.ErrorCode == ErrorCode.None
            ? response.NodeId
            : throw new CliException($"No coordinator for transactional id '{transactionalId}': {response.ErrorCode}");
    }

    /// <summary>ListTransactions on every broker (each lists those it coordinates), merged.</summary>
    public async Task<List<(ListTransactionsResponse.TransactionStateData Transaction, int Coordinator)>> ListAsync(IReadOnlyList<long>? producerIds = null)
    {
        var all = new List<(ListTransactionsResponse.TransactionStateData, int)>();
        foreach (var broker in Metadata.Brokers)
        {
            var response = await SendAsync<ListTransactionsRequest, ListTransactionsResponse>(
                broker.BrokerId, new ListTransactionsRequest { ProducerIdFilters = [.. producerIds ?? []] }, 0).ConfigureAwait(false);
            if (response.ErrorCode != ErrorCode.None)
            {
                throw new CliException($"Broker {broker.BrokerId} could not list transactions: {response.ErrorCode}");
            }

            all.AddRange(response.TransactionStates.Select(t => (t, broker.BrokerId)));
        }

        return all;
    }

    /// <summary>DescribeTransactions at the coordinator of <paramref name="transactionalId"/>.</summary>
    public async Task<(DescribeTransactionsResponse.TransactionStateData State, int Coordinator)> DescribeAsync(string transactionalId)
    {
        var coordinator = await CoordinatorOfAsync(transactionalId).ConfigureAwait(false);
        var response = await SendAsync<DescribeTransactionsRequest, DescribeTransactionsResponse>(
            coordinator, new DescribeTransactionsRequest { TransactionalIds = [transactionalId] }, 0).ConfigureAwait(false);
        var state = response.TransactionStates.Single();
        return state.ErrorCode switch
        {
            ErrorCode.None => (state, coordinator),
            ErrorCode.TransactionalIdNotFound => throw new CliException($"Transactional id '{transactionalId}' does not exist."),
            _ => throw new CliException($"Could not describe '{transactionalId}': {state.ErrorCode}"),
        };
    }

    public void Dispose()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Dispose();
        }
    }
}
