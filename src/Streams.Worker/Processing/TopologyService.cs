using Confluent.SchemaRegistry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = new StreamConfig<StringSerDes, StringSerDes>
        {
            ApplicationId = options.ApplicationId,
            BootstrapServers = endpoints.BootstrapServers,
            // Java Kafka Streams starts new applications at the beginning; librdkafka would start at the end.
            AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
            StateDir = Path.Combine(options.DataDirectory, "topology-state"),
            // One stream thread: on 2 cores a second one adds no throughput, and two members of one app closing at
            // the same time were seen to hang librdkafka's consumer close (Unassign inside the revoke callback).
            NumStreamThreads = 1,
            Guarantee = ProcessingGuarantee.AT_LEAST_ONCE,
            CommitIntervalMs = 1000,
            Logger = StreamizLogging,
            // One bad record must not stop the application: it is skipped here and visible in the logs.
            DeserializationExceptionHandler = (_, record, exception) =>
            {
                LogPoisonRecord(logger, record.Topic, record.Partition.Value, record.Offset.Value, exception.Message);
                return ExceptionHandlerResponse.CONTINUE;
            },
        };

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

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Topology application is {State}")]
    private static partial void LogState(ILogger logger, string state);

    [LoggerMessage(Level = LogLevel.Error, Message = "The topology did not close within 20 s; stopping without waiting for it")]
    private static partial void LogStuckClose(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped undeserializable record {Topic}-{Partition}@{Offset}: {Reason}")]
    private static partial void LogPoisonRecord(ILogger logger, string topic, int partition, long offset, string reason);
}
