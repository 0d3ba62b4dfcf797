using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Streams.Broker.Configs;
using Streams.Broker.Network;
using Streams.Broker.Producers;
using Streams.Broker.Security.Authentication.Scram;
using Streams.Broker.Storage;

namespace Streams.Broker;

/// <summary>
/// A single-node, durable, Kafka-wire-compatible broker running in this process. Start it, hand
/// <see cref="BootstrapServers"/> to any Kafka client, dispose it to shut down cleanly.
/// </summary>
/// <example>
/// <code>
/// await using var broker = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = "data" });
/// var producer = new ProducerBuilder&lt;string, string&gt;(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
/// </code>
/// </example>
public sealed partial class KafkaBroker : IAsyncDisposable
{
    private readonly KafkaListener _listener;
    private readonly LogManager _logs;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _maintenance;
    private readonly ILogger _logger;
    private int _disposed;

    private KafkaBroker(KafkaListener listener, LogManager logs, BrokerContext context, ILogger logger)
    {
        _listener = listener;
        _logs = logs;
        Context = context;
        _logger = logger;
        _maintenance = Task.Run(() => logs.RunMaintenanceAsync(_stopping.Token));
        Observability.BrokerMetrics.Track(this);
    }

    internal BrokerContext Context { get; }

    /// <summary>The advertised host of the first listener.</summary>
    public string Host => Context.AdvertisedHost;

    /// <summary>The port the first listener actually bound (useful with port 0).</summary>
    public int Port => _listener.Endpoints[0].Bound.Port;

    /// <summary>The value for a client's <c>bootstrap.servers</c>, on the first listener.</summary>
    public string BootstrapServers => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Every listener, in the order of <c>listeners</c>: its name, security protocol and bound port.</summary>
    public IReadOnlyList<BrokerListener> Listeners =>
        [.. _listener.Endpoints.Select(e => new BrokerListener(e.Name, e.Config.Protocol, e.AdvertisedHost, e.Bound.Port))];

    /// <summary>Connections open on all listeners right now (a failed handshake or authentication is released).</summary>
    public int OpenConnections => _listener.OpenConnections;

    /// <summary>The value for <c>bootstrap.servers</c> on the listener named <paramref name="listenerName"/>.</summary>
    /// <exception cref="ArgumentException">No listener has that name.</exception>
    public string BootstrapServersFor(string listenerName) =>
        Listeners.FirstOrDefault(l => string.Equals(l.Name, listenerName, StringComparison.OrdinalIgnoreCase))?.BootstrapServers
        ?? throw new ArgumentException($"The broker has no listener named {listenerName}", nameof(listenerName));

    /// <summary>The cluster id, stable across restarts of the same data directory.</summary>
    public string ClusterId => Context.ClusterId;

    /// <summary>Recovers the data directory and starts listening.</summary>
    public static async Task<KafkaBroker> StartAsync(BrokerOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        time ??= TimeProvider.System;
        var logger = loggerFactory.CreateLogger<KafkaBroker>();

        var nodeId = options.ResolveNodeId();
        var config = new BrokerConfig(nodeId, new Dictionary<string, string>(options.Settings));
        foreach (var unknown in config.UnknownSettings)
        {
            LogUnknownSetting(logger, unknown);
        }

        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        DataDirectoryFormat.CheckAndUpgrade(dataDirectory, logger);
        var meta = new BrokerMetaProperties(Path.Combine(dataDirectory, "meta"), logger, time);
        var clusterId = meta.LoadOrCreateClusterId(nodeId);

        // Dynamic broker configs set by AlterConfigs before the restart apply from the start, as in Kafka.
        foreach (var problem in config.LoadDynamic(Path.Combine(dataDirectory, "meta")))
        {
            LogDynamicConfigSkipped(logger, problem);
        }

        // SCRAM users given at start (--add-scram) are stored before anyone can connect.
        var scramCredentials = new ScramCredentialStore(Path.Combine(dataDirectory, "meta"));
        var bootstrapUsers = options.ScramUsers.Select(ScramUserSpec.Parse).ToList();
        if (bootstrapUsers.Count > 0)
        {
            scramCredentials.Apply([], bootstrapUsers.Select(u => (u.Name, u.Mechanism, u.ToCredential())));
            foreach (var user in bootstrapUsers)
            {
                LogScramUserAdded(logger, user.Name, user.Mechanism.Name);
            }
        }

        // Bind while the logs are recovered: connections wait for the recovered state before their first request.
        var listeners = ListenerConfig.Resolve(config, options.Host, options.Port, options.AdvertisedHost, options.AdvertisedPort);
        var recovered = new TaskCompletionSource<BrokerContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listening = Task.Run(() => KafkaListener.StartAsync(listeners, config, loggerFactory, recovered.Task, cancellationToken), CancellationToken.None);
        LogManager? logs = null;
        BrokerContext context;
        try
        {
            logs = new LogManager(dataDirectory, config, loggerFactory, time);
            logs.Load();
            context = new BrokerContext(config, logs, new ProducerIdManager(Path.Combine(dataDirectory, "meta"), loggerFactory.CreateLogger<ProducerIdManager>(), time), clusterId, loggerFactory, time, scramCredentials)
            {
                Authorizer = Security.Authorization.AclAuthorizer.Create(config, Path.Combine(dataDirectory, "meta"), loggerFactory),
            };
            context.Groups.Start();
            context.Transactions.Start();
        }
        catch (Exception ex)
        {
            recovered.SetException(ex);
            logs?.Close();
            await StopListeningAsync(listening).ConfigureAwait(false);
            throw;
        }

        KafkaListener listener;
        try
        {
            listener = await listening.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recovered.SetException(ex);
            await context.Transactions.DisposeAsync().ConfigureAwait(false);
            await context.Groups.DisposeAsync().ConfigureAwait(false);
            logs.Close();
            throw;
        }

        // Connections start once the advertised address is known (they answer Metadata with it).
        var first = listener.Endpoints[0];
        context.AdvertisedHost = first.AdvertisedHost;
        context.AdvertisedPort = first.AdvertisedPort;
        recovered.SetResult(context);

        var broker = new KafkaBroker(listener, logs, context, logger);
        LogListening(logger, broker.BootstrapServers, dataDirectory, clusterId);
        LogListeners(logger, string.Join(", ", broker.Listeners.Select(l => $"{l.Name}://{l.BootstrapServers} ({ListenerConfig.ProtocolName(l.Protocol)})")));
        return broker;
    }

    /// <summary>Closes a listener bound for a broker whose recovery failed (a listener that failed to bind has nothing to close).</summary>
    private static async Task StopListeningAsync(Task<KafkaListener> listening)
    {
        try
        {
            await (await listening.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Stops accepting requests, closes connections, flushes and closes every segment.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Observability.BrokerMetrics.Untrack(this);
        await _listener.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _maintenance.ConfigureAwait(false);
        await Context.Transactions.DisposeAsync().ConfigureAwait(false);
        await Context.Groups.DisposeAsync().ConfigureAwait(false);
        _logs.Close();
        _stopping.Dispose();
        LogStopped(_logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka broker listening on {BootstrapServers} (data {DataDirectory}, cluster {ClusterId})")]
    private static partial void LogListening(ILogger logger, string bootstrapServers, string dataDirectory, string clusterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka listeners: {Listeners}")]
    private static partial void LogListeners(ILogger logger, string listeners);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker setting {Name} is not used by the embedded broker and is ignored")]
    private static partial void LogUnknownSetting(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A persisted dynamic broker config is not applied: {Problem}")]
    private static partial void LogDynamicConfigSkipped(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "SCRAM user {User} set for {Mechanism} (--add-scram)")]
    private static partial void LogScramUserAdded(ILogger logger, string user, string mechanism);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka broker stopped cleanly")]
    private static partial void LogStopped(ILogger logger);
}
