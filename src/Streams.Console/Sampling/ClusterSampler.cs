using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Streams.KafkaConsole.Hosting;
using Streams.KafkaConsole.Sessions;
using Streams.Operations;
using Streams.Operations.Cluster;
using Streams.Operations.Groups;

namespace Streams.KafkaConsole.Sampling;

/// <summary>
/// Reads topics (end offsets, configs) and groups (lag) every <see cref="ConsoleOptions.SampleInterval"/> and keeps the
/// history the rate and lag charts draw. Starts on the first page view, not with the host: a console nobody looks at
/// costs the cluster nothing, and sampling stops a minute after the last page or live stream asked.
/// </summary>
public sealed partial class ClusterSampler
{
    /// <summary>Sampling stops after this long without a page or live stream asking (and starts again on the next).</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(1);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, Queue<(DateTimeOffset Time, long End)>> _ends = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<double>> _lags = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly ConsoleClients _clients;
    private readonly ILogger _logger;
    private readonly InProcessBroker? _broker;
    private TaskCompletionSource<ClusterSnapshot> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClusterSnapshot? _current;
    private Task? _loop;
    private long _lastDemand = Environment.TickCount64;
    private (DateTimeOffset Time, long Requests)? _lastRequests;

    internal ClusterSampler(ConsoleClients clients, ILogger logger, InProcessBroker? broker = null)
    {
        (_clients, _logger, _broker) = (clients, logger, broker);
    }

    /// <summary>The latest snapshot, reading the first one now if sampling has not started.</summary>
    public async Task<ClusterSnapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        Start();
        return _current ?? await _next.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes with the next snapshot (live parts push on each).</summary>
    public Task<ClusterSnapshot> NextAsync(CancellationToken cancellationToken)
    {
        Start();
        lock (_gate)
        {
            return _next.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The recent total lag of <paramref name="group"/>, oldest first (empty before two samples).</summary>
    public IReadOnlyList<double> LagHistory(string group)
    {
        lock (_gate)
        {
            return _lags.TryGetValue(group, out var lags) ? [.. lags] : [];
        }
    }

    /// <summary>Stops sampling for good (the session closed).</summary>
    internal async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private void Start()
    {
        lock (_gate)
        {
            _lastDemand = Environment.TickCount64;
            _loop ??= Task.Run(() => LoopAsync(_stopping.Token));
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_clients.Options.SampleInterval);
        do
        {
            try
            {
                var snapshot = await SampleAsync(cancellationToken).ConfigureAwait(false);
                TaskCompletionSource<ClusterSnapshot> done;
                lock (_gate)
                {
                    _current = snapshot;
                    done = _next;
                    _next = new TaskCompletionSource<ClusterSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                done.SetResult(snapshot);
            }
            catch (Exception e) when (e is KafkaException or OperationFailedException or TimeoutException)
            {
                // The cluster may be starting (the worker's embedded broker) or gone for a moment: try again next tick.
                LogSampleFailed(_logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false) && !StopWhenIdle());
    }

    /// <summary>Ends the loop when nobody has looked for <see cref="Idle"/>: a console left alone costs the cluster nothing.</summary>
    private bool StopWhenIdle()
    {
        lock (_gate)
        {
            if (Environment.TickCount64 - _lastDemand < Idle.TotalMilliseconds)
            {
                return false;
            }

            // The next page waits for a fresh sample rather than showing this old one.
            (_loop, _current) = (null, null);
            return true;
        }
    }

    private async Task<ClusterSnapshot> SampleAsync(CancellationToken cancellationToken)
    {
        var admin = _clients.Admin;
        var now = DateTimeOffset.UtcNow;
        // Only what the session's principal may describe: the broker leaves other topics out of the metadata and other
        // groups out of the list; configs or a group it may not read are skipped, not a failed sample.
        var metadata = await ClusterQueries.MetadataAsync(admin).ConfigureAwait(false);
        var topics = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).OrderBy(t => t.Topic, StringComparer.Ordinal).ToList();
        var partitions = topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId))).ToList();
        var earliest = await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.Earliest()).ConfigureAwait(false);
        var latest = await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.Latest()).ConfigureAwait(false);
        var configs = await ReadableConfigsAsync(admin, topics.Select(t => t.Topic)).ConfigureAwait(false);
        var sizes = _clients.IsPlaintext ? await LogDirSizes.ReadAsync(metadata.Brokers, cancellationToken).ConfigureAwait(false) : [];

        var groups = new List<GroupPositions>();
        var listed = await admin.ListConsumerGroupsAsync().ConfigureAwait(false);
        foreach (var group in listed.Valid.OrderBy(g => g.GroupId, StringComparer.Ordinal))
        {
            try
            {
                groups.Add(await GroupPositions.ReadAsync(admin, group.GroupId).ConfigureAwait(false));
            }
            catch (Exception e) when (AccessDenied.Is(e))
            {
                // Listed (the principal may describe it) but its offsets or topics are not readable: left out.
            }
        }

        var history = _clients.Options.History;
        lock (_gate)
        {
            var topicSamples = topics.Select(t =>
            {
                var mine = t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)).ToList();
                var end = mine.Sum(p => Math.Max(0, latest.GetValueOrDefault(p)));
                var ends = Remember(_ends, t.Topic, (now, end), history);
                var entries = configs.GetValueOrDefault(t.Topic) ?? [];
                var retention = entries.FirstOrDefault(e => e.Name == "retention.ms")?.Value;
                long? size = mine.All(sizes.ContainsKey) ? mine.Sum(p => sizes[p]) : null;
                return new TopicSample(t.Topic, mine.Count, mine.Sum(p => Math.Max(0, earliest.GetValueOrDefault(p))), end,
                    Readable(retention), entries.FirstOrDefault(e => e.Name == "cleanup.policy")?.Value ?? "", Rates(ends)) { Size = size };
            }).ToList();
            var groupSamples = groups.Select(g =>
            {
                var lags = Remember(_lags, g.Group, (double)g.TotalLag, history);
                return new GroupSample(g.Group, g.Description.State.ToString(), g.Description.Members.Count, g.TotalLag, [.. lags]);
            }).ToList();
            return new ClusterSnapshot(now, metadata.Brokers, topicSamples, groupSamples) { BrokerActivity = Activity(now) };
        }
    }

    /// <summary>The configs of the topics whose configs the principal may describe.</summary>
    private static async Task<Dictionary<string, List<ConfigEntryResult>>> ReadableConfigsAsync(IAdminClient admin, IEnumerable<string> topics)
    {
        try
        {
            return await TopicConfigs.DescribeAsync(admin, topics).ConfigureAwait(false);
        }
        catch (DescribeConfigsException e)
        {
            return e.Results.Where(r => !r.Error.IsError).ToDictionary(r => r.ConfigResource.Name, r => r.Entries.Values.ToList());
        }
    }

    private BrokerActivity? Activity(DateTimeOffset now)
    {
        if (_broker?.Read() is not { } read)
        {
            return null;
        }

        double? rate = _lastRequests is { } last && now > last.Time ? Math.Max(0, read.Requests - last.Requests) / (now - last.Time).TotalSeconds : null;
        _lastRequests = (now, read.Requests);
        return new BrokerActivity(read.Connections, rate);
    }

    private static Queue<T> Remember<T>(Dictionary<string, Queue<T>> series, string key, T value, int history)
    {
        if (!series.TryGetValue(key, out var queue))
        {
            series[key] = queue = new Queue<T>();
        }

        queue.Enqueue(value);
        while (queue.Count > history)
        {
            queue.Dequeue();
        }

        return queue;
    }

    /// <summary>Records per second between consecutive samples (a log that shrank, by a delete, counts as 0).</summary>
    private static List<double> Rates(IEnumerable<(DateTimeOffset Time, long End)> ends)
    {
        var rates = new List<double>();
        (DateTimeOffset Time, long End)? previous = null;
        foreach (var sample in ends)
        {
            if (previous is { } p && sample.Time > p.Time)
            {
                rates.Add(Math.Max(0, sample.End - p.End) / (sample.Time - p.Time).TotalSeconds);
            }

            previous = sample;
        }

        return rates;
    }

    private static string Readable(string? retentionMs) =>
        !long.TryParse(retentionMs, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? retentionMs ?? ""
        : ms < 0 ? "forever"
        : TimeSpan.FromMilliseconds(ms) is var span && span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0} d"
        : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h"
        : $"{span.TotalMinutes:0.#} min";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console: reading the cluster failed ({Reason}); trying again at the next sample")]
    private static partial void LogSampleFailed(ILogger logger, string reason);
}
