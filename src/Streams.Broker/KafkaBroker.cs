using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Streams.Broker.Configs;
using Streams.Broker.Network;
using Streams.Broker.Producers;
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
    }

    internal BrokerContext Context { get; }

    /// <summary>The advertised host.</summary>
    public string Host => Context.AdvertisedHost;

    /// <summary>The port actually bound (useful with port 0).</summary>
    public int Port => _listener.LocalEndPoint.Port;

    /// <summary>The value for a client's <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The cluster id, stable across restarts of the same data directory.</summary>
    public string ClusterId => Context.ClusterId;

    /// <summary>Recovers the data directory and starts listening.</summary>
    public static async Task<KafkaBroker> StartAsync(BrokerOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        time ??= TimeProvider.System;
        var logger = loggerFactory.CreateLogger<KafkaBroker>();

        var config = new BrokerConfig(options.NodeId, new Dictionary<string, string>(options.Settings));
        foreach (var unknown in config.UnknownSettings)
        {
            LogUnknownSetting(logger, unknown);
        }

        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        DataDirectoryFormat.CheckAndUpgrade(dataDirectory, logger);
        var meta = new BrokerMetaProperties(Path.Combine(dataDirectory, "meta"), logger, time);
        var clusterId = meta.LoadOrCreateClusterId(options.NodeId);

        // Bind while the logs are recovered: connections wait for the recovered state before their first request.
        var address = IPAddress.Parse(options.Host == "localhost" ? "127.0.0.1" : options.Host);
        var recovered = new TaskCompletionSource<BrokerContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listening = Task.Run(() => KafkaListener.StartAsync(new IPEndPoint(address, options.Port), config, loggerFactory, recovered.Task, cancellationToken), CancellationToken.None);
        LogManager? logs = null;
        BrokerContext context;
        try
        {
            logs = new LogManager(dataDirectory, config, loggerFactory, time);
            logs.Load();
            context = new BrokerContext(config, logs, new ProducerIdManager(Path.Combine(dataDirectory, "meta"), loggerFactory.CreateLogger<ProducerIdManager>(), time), clusterId, loggerFactory, time)
            {
                Authorizer = Security.Authorization.AclAuthorizer.Create(config, Path.Combine(dataDirectory, "meta"), loggerFactory),
            };
            context.Groups.Start();
        }
        catch (Exception ex)
        {
            recovered.SetException(ex);
            logs?.Close();
            await StopListeningAsync(listening).ConfigureAwait(false);
            throw;
        }

        recovered.SetResult(context);
        KafkaListener listener;
        try
        {
            listener = await listening.ConfigureAwait(false);
        }
        catch
        {
            await context.Groups.DisposeAsync().ConfigureAwait(false);
            logs.Close();
            throw;
        }

        context.AdvertisedHost = options.AdvertisedHost ?? (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : options.Host);
        context.AdvertisedPort = options.AdvertisedPort ?? listener.LocalEndPoint.Port;

        var broker = new KafkaBroker(listener, logs, context, logger);
        LogListening(logger, broker.BootstrapServers, dataDirectory, clusterId);
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

        await _listener.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _maintenance.ConfigureAwait(false);
        await Context.Groups.DisposeAsync().ConfigureAwait(false);
        _logs.Close();
        _stopping.Dispose();
        LogStopped(_logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka broker listening on {BootstrapServers} (data {DataDirectory}, cluster {ClusterId})")]
    private static partial void LogListening(ILogger logger, string bootstrapServers, string dataDirectory, string clusterId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker setting {Name} is not used by the embedded broker and is ignored")]
    private static partial void LogUnknownSetting(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka broker stopped cleanly")]
    private static partial void LogStopped(ILogger logger);
}
