using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streams.Messaging.Diagnostics;
using Streams.Worker.Infrastructure;

namespace Streams.Worker.Observability;

/// <summary>
/// The topology application's lag, which Streamiz does not report: every 5 s, the application's committed offsets
/// against each source partition's end, into the same <c>messaging.kafka.consumer.lag</c> gauge as the consumer
/// groups (group = application id). Committed, as kafka-consumer-groups shows it: up to one commit interval (1 s)
/// behind what the topology has processed. Under ExactlyOnce the topology reads read_committed, so its end is the
/// last stable offset: records of open or aborted transactions it will never be handed are not lag.
/// </summary>
public sealed partial class TopologyLagMonitor(StreamsOptions options, KafkaAdmin kafka, ILogger<TopologyLagMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await MeasureAsync().ConfigureAwait(false);
                }
                catch (KafkaException ex)
                {
                    LogMeasureFailed(logger, options.ApplicationId, ex.Error.Reason);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One measurement: records the lag of every partition the application has committed an offset for.</summary>
    internal async Task MeasureAsync()
    {
        var groups = await kafka.Client.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(options.ApplicationId, null)]).ConfigureAwait(false);
        var committed = groups.SelectMany(g => g.Partitions).Where(p => p.Error.Code == ErrorCode.NoError && p.Offset.Value >= 0).ToList();
        if (committed.Count == 0)
        {
            return;
        }

        var isolation = new ListOffsetsOptions
        {
            IsolationLevel = options.ProcessingGuarantee == ProcessingGuaranteeMode.ExactlyOnce ? IsolationLevel.ReadCommitted : IsolationLevel.ReadUncommitted,
        };
        IEnumerable<ListOffsetsResultInfo> ends;
        try
        {
            ends = (await kafka.Client.ListOffsetsAsync(committed.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p.TopicPartition, OffsetSpec = OffsetSpec.Latest() }), isolation).ConfigureAwait(false)).ResultInfos;
        }
        catch (ListOffsetsException ex)
        {
            ends = ex.Result.ResultInfos.Where(r => !r.TopicPartitionOffsetError.Error.IsError);
        }

        var endOf = ends.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
        foreach (var partition in committed.Where(p => endOf.ContainsKey(p.TopicPartition)))
        {
            MessagingTelemetry.RecordLag(options.ApplicationId, partition.Topic, partition.Partition.Value, endOf[partition.TopicPartition] - partition.Offset.Value);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not measure the lag of {ApplicationId}: {Error}")]
    private static partial void LogMeasureFailed(ILogger logger, string applicationId, string error);
}
