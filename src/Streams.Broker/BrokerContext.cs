using Microsoft.Extensions.Logging;
using Streams.Broker.Apis;
using Streams.Broker.Configs;
using Streams.Broker.Groups;
using Streams.Broker.Producers;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Storage;

namespace Streams.Broker;

/// <summary>The broker's shared state, handed to every request handler.</summary>
internal sealed class BrokerContext(BrokerConfig config, LogManager logs, ProducerIdManager producerIds, string clusterId, ILoggerFactory loggerFactory, TimeProvider time, Security.Authentication.Scram.ScramCredentialStore scramCredentials)
{
    public BrokerConfig Config { get; } = config;

    public LogManager Logs { get; } = logs;

    public ProducerIdManager ProducerIds { get; } = producerIds;

    public ApiRegistry Apis { get; } = new();

    public GroupCoordinator Groups { get; } = new(config, logs, loggerFactory, time);

    public string ClusterId { get; } = clusterId;

    private Transactions.TransactionCoordinator? _transactions;

    /// <summary>The transaction coordinator (created on first use, which is the broker's start, before any request).</summary>
    public Transactions.TransactionCoordinator Transactions =>
        LazyInitializer.EnsureInitialized(ref _transactions, () => new Transactions.TransactionCoordinator(Config, Logs, ProducerIds, Groups, LoggerFactory, Time));

    /// <summary>The ACL authorizer; null when authorization is off (no <c>authorizer.class.name</c>), which every check short-circuits on.</summary>
    public AclAuthorizer? Authorizer { get; init; }

    /// <summary>SCRAM users (meta/scram-credentials.json).</summary>
    public Security.Authentication.Scram.ScramCredentialStore ScramCredentials { get; } = scramCredentials;

    /// <summary><c>queued.max.request.bytes</c>, shared by every listener; null when unbounded (-1).</summary>
    public Network.RequestMemoryBudget? RequestMemory { get; } = config.QueuedMaxRequestBytes < 0 ? null : new(config.QueuedMaxRequestBytes);

    public int NodeId => Config.NodeId;

    /// <summary>The host clients are told to connect to (Metadata, FindCoordinator).</summary>
    public string AdvertisedHost { get; set; } = "127.0.0.1";

    public int AdvertisedPort { get; set; }

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;

    public TimeProvider Time { get; } = time;
}
