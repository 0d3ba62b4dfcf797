using Confluent.Kafka;

namespace Streams.Broker.Tests.Groups;

/// <summary>
/// A subscribed Confluent.Kafka consumer polling on its own thread, recording what it receives, what it owns,
/// and every assignment change, so tests can assert on rebalances as they happen.
/// </summary>
internal sealed class GroupConsumer : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Thread _thread;
    private readonly int _commitEvery;
    private volatile bool _stopping;
    private bool _disposed;

    private GroupConsumer(string name, ConsumerConfig config, string topic, int commitEvery)
    {
        Name = name;
        _commitEvery = commitEvery;
        Consumer = new ConsumerBuilder<string, string>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                lock (_gate)
                {
                    Assigned.Add([.. partitions]);
                    Assignment.UnionWith(partitions);
                }
            })
            .SetPartitionsRevokedHandler((consumer, partitions) =>
            {
                // Commit what was consumed before the partitions go, as a careful application does.
                CommitConsumed(consumer, partitions.Select(p => p.TopicPartition));
                lock (_gate)
                {
                    Revoked.Add([.. partitions.Select(p => p.TopicPartition)]);
                    Assignment.ExceptWith(partitions.Select(p => p.TopicPartition));
                }
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                lock (_gate)
                {
                    Revoked.Add([.. partitions.Select(p => p.TopicPartition)]);
                    Assignment.ExceptWith(partitions.Select(p => p.TopicPartition));
                }
            })
            .Build();
        Consumer.Subscribe(topic);
        _thread = new Thread(Poll) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public string Name { get; }

    public IConsumer<string, string> Consumer { get; }

    public List<ConsumeResult<string, string>> Received { get; } = [];

    /// <summary>For each received record, how many assignments the consumer had been given when it arrived.</summary>
    public List<int> ReceivedDuring { get; } = [];

    public HashSet<TopicPartition> Assignment { get; } = [];

    public List<List<TopicPartition>> Assigned { get; } = [];

    public List<List<TopicPartition>> Revoked { get; } = [];

    /// <summary>Next offset to consume, per partition.</summary>
    public Dictionary<TopicPartition, long> Consumed { get; } = [];

    /// <summary>Why commits were refused (a refused commit may mean records read twice).</summary>
    public List<string> CommitFailures { get; } = [];

    /// <summary>Last offset this consumer committed successfully, per partition.</summary>
    public Dictionary<TopicPartition, long> Committed { get; } = [];

    /// <summary>Subscribes and starts polling; commits synchronously after every <paramref name="commitEvery"/> messages (0 never commits).</summary>
    public static GroupConsumer Start(string bootstrap, string groupId, string topic, string name, int commitEvery = 1, Action<ConsumerConfig>? configure = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = groupId,
            ClientId = name,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 500,
            TopicMetadataRefreshIntervalMs = 1000,
        };
        configure?.Invoke(config);
        return new GroupConsumer(name, config, topic, commitEvery);
    }

    public T Read<T>(Func<GroupConsumer, T> read)
    {
        lock (_gate)
        {
            return read(this);
        }
    }

    public HashSet<TopicPartition> CurrentAssignment() => Read(c => c.Assignment.ToHashSet());

    public int ReceivedCount => Read(c => c.Received.Count);

    /// <summary>What this consumer received and how its assignment changed, for a failing test's output.</summary>
    public string History() => Read(c =>
        $"{c.Name}: assigned {string.Join(" | ", c.Assigned.Select(Partitions))}; revoked {string.Join(" | ", c.Revoked.Select(Partitions))}; received "
        + string.Join(", ", c.Received.Select((r, i) => (r, during: c.ReceivedDuring[i])).GroupBy(x => (x.r.Partition.Value, x.during)).OrderBy(g => g.Key)
            .Select(g => $"p{g.Key.Value} in #{g.Key.during} {g.Count()} ({g.Min(x => x.r.Offset.Value)}..{g.Max(x => x.r.Offset.Value)})"))
        + "; committed " + string.Join(", ", c.Committed.OrderBy(p => p.Key.Partition.Value).Select(p => $"p{p.Key.Partition.Value}@{p.Value}"))
        + $"; commit failures {c.CommitFailures.Count}: {string.Join("; ", c.CommitFailures.Distinct())}");

    private static string Partitions(List<TopicPartition> partitions) => string.Join(",", partitions.Select(p => p.Partition.Value).Order());

    private void Poll()
    {
        var sinceCommit = 0;
        while (!_stopping)
        {
            ConsumeResult<string, string>? result;
            try
            {
                result = Consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException)
            {
                continue;
            }

            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            lock (_gate)
            {
                Received.Add(result);
                ReceivedDuring.Add(Assigned.Count);
                Consumed[result.TopicPartition] = result.Offset.Value + 1;
            }

            if (_commitEvery > 0 && ++sinceCommit >= _commitEvery)
            {
                sinceCommit = 0;
                CommitConsumed(Consumer, CurrentAssignment());
            }
        }
    }

    private void CommitConsumed(IConsumer<string, string> consumer, IEnumerable<TopicPartition> partitions)
    {
        if (_commitEvery == 0)
        {
            return;
        }

        List<TopicPartitionOffset> offsets;
        lock (_gate)
        {
            offsets = [.. partitions.Where(Consumed.ContainsKey).Select(p => new TopicPartitionOffset(p, Consumed[p]))];
        }

        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(offsets);
            lock (_gate)
            {
                offsets.ForEach(o => Committed[o.TopicPartition] = o.Offset.Value);
            }
        }
        catch (KafkaException ex)
        {
            // A commit refused during a rebalance is retried with the next one; what it covered may be read twice.
            lock (_gate)
            {
                CommitFailures.Add(ex.Error.Reason);
            }
        }
    }

    /// <summary>Stops polling (the consumer stays in the group until closed, disposed or cut off).</summary>
    public void StopPolling()
    {
        _stopping = true;
        _thread.Join();
    }

    /// <summary>Leaves the group cleanly.</summary>
    public void Close()
    {
        StopPolling();
        Consumer.Close();
        Dispose();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        StopPolling();
        Consumer.Dispose();
    }
}
