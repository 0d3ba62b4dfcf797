using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Streams.Benchmarks;

/// <summary>
/// Consumer groups against the broker: how fast a group of subscribed consumers drains a 12-partition topic, and
/// how long a rebalance stops a group when one more member joins.
/// </summary>
internal static class GroupRun
{
    public const int Partitions = 12;

    /// <summary>Creates a 12-partition topic and fills it round-robin with <paramref name="messages"/> values.</summary>
    public static async Task<string> FillTopicAsync(string bootstrap, int messages, int valueSize)
    {
        var topic = "group-bench-" + Guid.NewGuid().ToString("N")[..8];
        await CreateTopicAsync(bootstrap, topic).ConfigureAwait(false);
        var value = new byte[valueSize];
        Random.Shared.NextBytes(value);
        await Task.Run(() =>
        {
            using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
            {
                BootstrapServers = bootstrap,
                Acks = Acks.All,
                EnableIdempotence = true,
                LingerMs = 5,
                QueueBufferingMaxMessages = 1_000_000,
            }).Build();
            var message = new Message<Null, byte[]> { Value = value };
            for (var i = 0; i < messages; i++)
            {
                while (true)
                {
                    try
                    {
                        producer.Produce(new TopicPartition(topic, i % Partitions), message);
                        break;
                    }
                    catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(1));
                    }
                }
            }

            if (producer.Flush(TimeSpan.FromMinutes(5)) > 0)
            {
                throw new InvalidOperationException("the topic could not be filled");
            }
        }).ConfigureAwait(false);
        return topic;
    }

    public static async Task CreateTopicAsync(string bootstrap, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = Partitions, ReplicationFactor = 1 }]).ConfigureAwait(false);
    }

    /// <summary>A new group of <paramref name="members"/> consumers, one thread each, reads the whole topic once.</summary>
    public static async Task<GroupReadResult> ReadAsync(string bootstrap, string topic, int messages, int members, Func<(TimeSpan Cpu, long Rss)> sampleBroker)
    {
        var groupId = $"read-{members}-{Guid.NewGuid():N}";
        long received = 0;
        long firstTicks = 0;
        long lastTicks = 0;
        var cpuBefore = sampleBroker().Cpu;
        var watch = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, members).Select(m => new Thread(() =>
        {
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(ConsumerConfig(bootstrap, groupId, $"reader-{m}", AutoOffsetReset.Earliest)).Build();
            consumer.Subscribe(topic);
            while (Interlocked.Read(ref received) < messages)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not { IsPartitionEOF: false })
                {
                    continue;
                }

                Interlocked.CompareExchange(ref firstTicks, watch.ElapsedTicks, 0);
                if (Interlocked.Increment(ref received) == messages)
                {
                    Interlocked.Exchange(ref lastTicks, watch.ElapsedTicks);
                }
            }

            consumer.Close();
        }) { IsBackground = true, Name = $"reader-{m}" }).ToList();
        threads.ForEach(t => t.Start());

        // The readers stop on their own once the whole topic is read; a stalled group is a failed run.
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (threads.Any(t => t.IsAlive))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"group of {members} stalled after {Interlocked.Read(ref received)} messages");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        var cpu = sampleBroker().Cpu - cpuBefore;
        var toFirst = TimeSpan.FromSeconds((double)firstTicks / Stopwatch.Frequency);
        var toLast = TimeSpan.FromSeconds((double)lastTicks / Stopwatch.Frequency);
        return new GroupReadResult(members, Interlocked.Read(ref received), toFirst, toLast, cpu);
    }

    /// <summary>
    /// With <paramref name="members"/> consumers reading a topic that a producer keeps writing to, starts one more
    /// member and measures from its Subscribe until every member has received a message under the new assignment;
    /// then closes the newcomer and waits for the group to settle, <paramref name="repeats"/> times.
    /// With <c>consumerProtocol</c> the group runs KIP-848 (<c>group.protocol=consumer</c>): the broker's
    /// <c>group.consumer.heartbeat.interval.ms</c> then paces it, and members keep their partitions while others move.
    /// </summary>
    public static async Task<RebalanceResult> MeasureRebalanceAsync(string bootstrap, int members, int repeats, int heartbeatIntervalMs, bool consumerProtocol = false)
    {
        var topic = "rebalance-bench-" + Guid.NewGuid().ToString("N")[..8];
        await CreateTopicAsync(bootstrap, topic).ConfigureAwait(false);
        using var stopProducing = new CancellationTokenSource();
        var producing = Task.Run(() => ProduceSteadilyAsync(bootstrap, topic, stopProducing.Token));
        var groupId = $"rebalance-{members}-{Guid.NewGuid():N}";
        var group = Enumerable.Range(0, members).Select(m => BenchMember.Start(bootstrap, groupId, topic, $"member-{m}", heartbeatIntervalMs, consumerProtocol: consumerProtocol)).ToList();
        var samples = new List<TimeSpan>();
        var joins = new List<TimeSpan>();
        try
        {
            await WaitUntilConsumingAsync(group).ConfigureAwait(false);
            for (var i = 0; i < repeats; i++)
            {
                // Old members hear of a rebalance at their next heartbeat, and a settled group's heartbeat timers all
                // restarted together: joining at once would always hit the worst phase. A newcomer arrives at a
                // random moment of the cycle, as in a real deployment.
                await Task.Delay(Random.Shared.Next(heartbeatIntervalMs)).ConfigureAwait(false);
                var mark = Stopwatch.GetTimestamp();
                group.ForEach(m => m.MarkRebalance(mark));
                var newcomer = BenchMember.Start(bootstrap, groupId, topic, $"newcomer-{i}", heartbeatIntervalMs, mark, consumerProtocol);
                group.Add(newcomer);
                await WaitUntilConsumingAsync(group).ConfigureAwait(false);
                samples.Add(group.Max(m => m.ConsumingAgainAfter));
                joins.Add(newcomer.AssignedAfter);

                // Back to N members before the next sample; that rebalance is not measured.
                group.Remove(newcomer);
                newcomer.Close();
                var settle = Stopwatch.GetTimestamp();
                group.ForEach(m => m.MarkRebalance(settle));
                await WaitUntilConsumingAsync(group).ConfigureAwait(false);
            }
        }
        finally
        {
            group.ForEach(m => m.Close());
            await stopProducing.CancelAsync().ConfigureAwait(false);
            await producing.ConfigureAwait(false);
        }

        return new RebalanceResult(members, heartbeatIntervalMs, samples, joins);
    }

    private static async Task WaitUntilConsumingAsync(List<BenchMember> group)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!group.All(m => m.IsConsuming) || group.Sum(m => m.AssignedCount) != Partitions)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the group did not settle within two minutes");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    /// <summary>About 2,400 messages/s, one per partition every 5 ms, so a member with any partition gets a message within milliseconds.</summary>
    private static async Task ProduceSteadilyAsync(string bootstrap, string topic, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 1 }).Build();
        var message = new Message<Null, byte[]> { Value = new byte[100] };
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                for (var p = 0; p < Partitions; p++)
                {
                    producer.Produce(new TopicPartition(topic, p), message);
                }

                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        producer.Flush(TimeSpan.FromSeconds(10));
    }

    public static ConsumerConfig ConsumerConfig(string bootstrap, string groupId, string clientId, AutoOffsetReset reset)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = groupId,
            ClientId = clientId,
            AutoOffsetReset = reset,
        };

        // librdkafka pauses fetching for fetch.queue.backoff.ms (1 s) whenever its local queue holds more than
        // queued.min.messages; a .NET loop slower than the fetcher then idles on every pause.
        config.Set("fetch.queue.backoff.ms", "10");
        return config;
    }
}

/// <summary>
/// One subscribed consumer polling on its own thread. After <see cref="MarkRebalance"/> it notes when it is next
/// assigned partitions and when the first message under that assignment arrives.
/// </summary>
internal sealed class BenchMember
{
    private readonly IConsumer<Ignore, Ignore> _consumer;
    private readonly Thread _thread;
    private readonly Lock _gate = new();
    private volatile bool _stopping;
    private long _mark;
    private long? _assignedAt;
    private long? _consumingAt;
    private int _assignedCount;
    private readonly bool _incremental;

    private BenchMember(ConsumerConfig config, string topic, long mark, bool incremental)
    {
        _mark = mark;
        _incremental = incremental;
        _consumer = new ConsumerBuilder<Ignore, Ignore>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                // Eager protocol: every member is handed its whole new assignment here, old members included.
                // Incremental (KIP-848): only what is added, and members keep consuming what they hold.
                lock (_gate)
                {
                    _assignedCount = incremental ? _assignedCount + partitions.Count : partitions.Count;
                    _assignedAt ??= Stopwatch.GetTimestamp();
                }
            })
            .SetPartitionsRevokedHandler((_, partitions) => SetAssignedCount(incremental ? AssignedCount - partitions.Count : 0))
            .SetPartitionsLostHandler((_, partitions) => SetAssignedCount(incremental ? AssignedCount - partitions.Count : 0))
            .Build();
        _consumer.Subscribe(topic);
        _thread = new Thread(Poll) { IsBackground = true, Name = config.ClientId };
        _thread.Start();
    }

    public int AssignedCount => Read(() => _assignedCount);

    /// <summary>Received a message since it was assigned partitions after the mark.</summary>
    public bool IsConsuming => Read(() => _consumingAt is not null);

    public TimeSpan AssignedAfter => Read(() => Stopwatch.GetElapsedTime(_mark, _assignedAt ?? throw new InvalidOperationException("not assigned")));

    public TimeSpan ConsumingAgainAfter => Read(() => Stopwatch.GetElapsedTime(_mark, _consumingAt ?? throw new InvalidOperationException("not consuming")));

    public static BenchMember Start(string bootstrap, string groupId, string topic, string name, int heartbeatIntervalMs, long? mark = null, bool consumerProtocol = false)
    {
        var config = GroupRun.ConsumerConfig(bootstrap, groupId, name, AutoOffsetReset.Latest);
        if (consumerProtocol)
        {
            // The broker sets the heartbeat interval of KIP-848 members; librdkafka refuses it here.
            config.GroupProtocol = GroupProtocol.Consumer;
        }
        else
        {
            config.HeartbeatIntervalMs = heartbeatIntervalMs;
        }

        return new BenchMember(config, topic, mark ?? Stopwatch.GetTimestamp(), consumerProtocol);
    }

    /// <summary>Starts watching for the next assignment (set before the change that causes it).</summary>
    public void MarkRebalance(long mark)
    {
        lock (_gate)
        {
            _mark = mark;
            _consumingAt = null;

            // An incremental member that holds partitions is not stopped by a rebalance: it counts as assigned.
            _assignedAt = _incremental && _assignedCount > 0 ? mark : null;
        }
    }

    private T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    private void SetAssignedCount(int count)
    {
        lock (_gate)
        {
            _assignedCount = count;
        }
    }

    private void Poll()
    {
        while (!_stopping)
        {
            if (_consumer.Consume(TimeSpan.FromMilliseconds(50)) is not { IsPartitionEOF: false })
            {
                continue;
            }

            // A message still queued from the old assignment does not count: only one after the new one.
            lock (_gate)
            {
                if (_assignedAt is not null)
                {
                    _consumingAt ??= Stopwatch.GetTimestamp();
                }
            }
        }
    }

    public void Close()
    {
        _stopping = true;
        _thread.Join();
        _consumer.Close();
        _consumer.Dispose();
    }
}

internal sealed record GroupReadResult(int Members, long Received, TimeSpan ToFirstMessage, TimeSpan ToLastMessage, TimeSpan BrokerCpu)
{
    /// <summary>Including the group join, as an application starting up sees it.</summary>
    public double Rate => Received / ToLastMessage.TotalSeconds;

    /// <summary>From the first message to the last: reading alone.</summary>
    public double SteadyRate => Received / (ToLastMessage - ToFirstMessage).TotalSeconds;
}

internal sealed record RebalanceResult(int Members, int HeartbeatIntervalMs, List<TimeSpan> Samples, List<TimeSpan> NewcomerAssigned)
{
    public TimeSpan Median => Samples.Order().ElementAt(Samples.Count / 2);

    public TimeSpan Max => Samples.Max();
}
