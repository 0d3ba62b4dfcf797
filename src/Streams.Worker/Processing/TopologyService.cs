using System.Reflection;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streams.Messaging.Consuming;
using Streams.Topology.Carts;
using Streams.Topology.Logins;
using Streams.Worker.Infrastructure;

namespace Streams.Worker.Processing;

/// <summary>
/// Runs the Streamiz topologies (cart state, orders, login monitoring) as one application. Streamiz's StartAsync
/// never throws, and ERROR is terminal, so the state is watched and an ERROR stops the host with a failure exit code.
/// </summary>
public sealed partial class TopologyService(
    StreamsOptions options,
    StreamsEndpoints endpoints,
    ISchemaRegistryClient registry,
    IHostApplicationLifetime lifetime,
    Health.WorkerHealth health,
    ILogger<TopologyService> logger) : BackgroundService
{
    /// <summary>
    /// Streamiz keeps its logger factory in a process-wide static (set by <c>StreamConfig.Logger</c> and read even by
    /// the StreamConfig constructor), so it gets a factory that lives as long as the process: a host's own factory
    /// would be disposed with the host and break the next host built in the same process.
    /// </summary>
    private static readonly ILoggerFactory StreamizLogging = LoggerFactory.Create(b => b
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        })
        .SetMinimumLevel(LogLevel.Warning));

    private KafkaStream? _stream;
    private DeadLetterWriter? _deadLetterWriter;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _deadLetterWriter = new DeadLetterWriter(endpoints.ClientSettings("topology-dead-letters"), Provisioning.DeadLetterTopic);
        var deadLetters = new TopologyDeadLetters(_deadLetterWriter, options.ApplicationId, logger);
        var config = CreateConfig(options, endpoints);

        // One bad record must not stop the application: it goes to the dead-letter topic and processing goes on.
        config.DeserializationExceptionHandler = deadLetters.OnDeserializationError;
        config.ProductionExceptionHandler = deadLetters.OnProductionError;
        var builder = new StreamBuilder();
        CartTopology.Build(builder, registry, options.ApplicationId);
        LoginMonitoringTopology.Build(builder, registry, options.LoginMonitoring, options.ApplicationId);

        _stream = new KafkaStream(builder.Build(), config);
        _stream.StateChanged += (_, state) =>
        {
            LogState(logger, state.ToString());
            health.TopologyState = state.ToString();
            if (state == KafkaStream.State.ERROR)
            {
                Environment.ExitCode = 1;
                lifetime.StopApplication();
            }
        };
        await _stream.StartAsync(stoppingToken).ConfigureAwait(false);
    }

    /// <summary>The Streamiz configuration of the worker's topology application.</summary>
    internal static StreamConfig<StringSerDes, StringSerDes> CreateConfig(StreamsOptions options, StreamsEndpoints endpoints)
    {
        var config = new StreamConfig<StringSerDes, StringSerDes>
        {
            ApplicationId = options.ApplicationId,
            BootstrapServers = endpoints.BootstrapServers,
            // Java Kafka Streams starts new applications at the beginning; librdkafka would start at the end.
            AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
            StateDir = Path.Combine(options.DataDirectory, "topology-state"),
            NumStreamThreads = options.StreamThreads,
            Guarantee = options.ProcessingGuarantee == ProcessingGuaranteeMode.ExactlyOnce ? ProcessingGuarantee.EXACTLY_ONCE : ProcessingGuarantee.AT_LEAST_ONCE,
            CommitIntervalMs = options.CommitIntervalMs ?? (options.ProcessingGuarantee == ProcessingGuaranteeMode.ExactlyOnce ? 100 : 1000),
            PollMs = options.PollMs,
            LingerMs = options.ProducerLingerMs,
            FetchWaitMaxMs = options.FetchWaitMaxMs,
            Logger = StreamizLogging,
        };

        ApplyConnectionSettings(config, new ClientConfig(endpoints.ClientSettings("topology")));
        // Streamiz derives its clients' ids from this one: {id}-StreamThread-{n}-streamiz-consumer, -producer, ...
        config.ClientId = endpoints.ClientId("topology");
        return config;
    }

    /// <summary>
    /// Gives Streamiz the connection settings (security included) for every client it builds. Streamiz passes on only
    /// the settings it has a typed property for, named as Confluent names them, and drops any other key silently; so
    /// the typed values are copied property by property, and a setting that would still be dropped is an error here
    /// rather than a client that connects without its credentials.
    /// </summary>
    private static void ApplyConnectionSettings(StreamConfig config, ClientConfig kafka)
    {
        foreach (var source in typeof(ClientConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (source is { CanRead: true } && source.GetIndexParameters().Length == 0
                && source.GetValue(kafka) is { } value
                && config.GetType().GetProperty(source.Name) is { CanWrite: true } target
                && target.PropertyType.IsAssignableFrom(source.PropertyType))
            {
                target.SetValue(config, value);
            }
        }

        var passed = config.ToConsumerConfig("settings-check").Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var dropped = kafka.Select(p => p.Key).Where(key => !passed.Contains(key)).ToList();
        if (dropped.Count > 0)
        {
            throw new InvalidOperationException($"Streamiz cannot pass these Kafka settings to its clients: {string.Join(", ", dropped)}");
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stream is { } stream)
        {
            // Streamiz joins its threads without a timeout; a close stuck in librdkafka must not hold the host forever.
            var disposing = Task.Run(stream.Dispose, CancellationToken.None);
            if (await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(20), CancellationToken.None)).ConfigureAwait(false) != disposing)
            {
                LogStuckClose(logger);
            }
        }

        _deadLetterWriter?.Dispose();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Topology application is {State}")]
    private static partial void LogState(ILogger logger, string state);

    [LoggerMessage(Level = LogLevel.Error, Message = "The topology did not close within 20 s; stopping without waiting for it")]
    private static partial void LogStuckClose(ILogger logger);
}
