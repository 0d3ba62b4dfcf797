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

        var logs = new LogManager(dataDirectory, config, loggerFactory, time);
        logs.Load();
        var context = new BrokerContext(config, logs, new ProducerIdManager(Path.Combine(dataDirectory, "meta"), loggerFactory.CreateLogger<ProducerIdManager>(), time), clusterId, loggerFactory, time);

        context.Groups.Start();

        var address = IPAddress.Parse(options.Host == "localhost" ? "127.0.0.1" : options.Host);
        KafkaListener listener;
        try
        {
            listener = await KafkaListener.StartAsync(new IPEndPoint(address, options.Port), context, cancellationToken).ConfigureAwait(false);
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
