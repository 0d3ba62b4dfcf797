using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Streams.Broker.Configs;
using Streams.Broker.Groups;
using Streams.Broker.Producers;
using Streams.Broker.Protocol;
using Streams.Broker.Storage;

namespace Streams.Broker.Transactions;

/// <summary>
/// The transaction coordinator (KIP-98, with KIP-360 epoch bumps and KIP-447 group checks): one producer id per
/// transactional id, epochs that fence zombies, the partitions and group offsets of each open transaction, and the
/// COMMIT/ABORT markers written to every partition when it ends. Each change is stored in <c>__transaction_state</c>
/// before it is answered; on start the stored states are loaded and transactions caught in PrepareCommit/PrepareAbort
/// are completed. Markers are written synchronously by the request that ends the transaction (one node: no
/// replication to wait for), so the Prepare states are visible only to requests that race with it
/// (CONCURRENT_TRANSACTIONS). Its epoch is bumped on every start (<see cref="CoordinatorEpoch"/>).
/// </summary>
internal sealed partial class TransactionCoordinator : IAsyncDisposable
{
    /// <summary>How often open transactions are checked against their timeout.</summary>
    private static readonly TimeSpan TimeoutCheckInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, TransactionMetadata> _transactions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, TransactionMetadata> _byProducerId = new();
    private readonly BrokerConfig _config;
    private readonly LogManager _logs;
    private readonly ProducerIdManager _producerIds;
    private readonly GroupCoordinator _groups;
    private readonly TransactionLog _log;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public TransactionCoordinator(BrokerConfig config, LogManager logs, ProducerIdManager producerIds, GroupCoordinator groups, ILoggerFactory loggerFactory, TimeProvider time)
    {
        _config = config;
        _logs = logs;
        _producerIds = producerIds;
        _groups = groups;
        _time = time;
        _logger = loggerFactory.CreateLogger<TransactionCoordinator>();
        _log = new TransactionLog(logs, _logger, time);
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>This coordinator's epoch (<see cref="CoordinatorEpoch"/>), carried by every marker it writes; -1 before <see cref="Start"/>.</summary>
    public int Epoch { get; private set; } = -1;

    /// <summary>
    /// Takes the next coordinator epoch, loads the stored states, completes transactions a crash left half-ended (with
    /// markers of the new epoch), and starts the timeout check.
    /// </summary>
    public void Start()
    {
        Epoch = CoordinatorEpoch.Advance(Path.Combine(_logs.DataDirectory, "meta"), _logger, _time);
        foreach (var (id, metadata) in _log.Load())
        {
            _transactions[id] = metadata;
            _byProducerId[metadata.ProducerId] = metadata;
            foreach (var (group, offsets) in metadata.PendingOffsets.Where(g => g.Value.Count > 0))
            {
                _groups.AddPendingTransactionalOffsets(group, id, offsets.Keys);
            }

            if (metadata.IsCompleting)
            {
                lock (metadata.Lock)
                {
                    LogResumed(_logger, id, metadata.State);
                    Complete(metadata, metadata.State == TransactionState.PrepareCommit);
                }
            }
        }

        LogStarted(_logger, Epoch, _transactions.Count);
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>InitProducerId with a transactional id.</summary>
    public InitProducerIdResult InitProducerId(string transactionalId, int timeoutMs, long producerId, short producerEpoch, bool fencedSupported)
    {
        if (timeoutMs <= 0 || timeoutMs > _config.TransactionMaxTimeoutMs)
        {
            return InitProducerIdResult.Failed(ErrorCode.InvalidTransactionTimeout);
        }

        var metadata = _transactions.GetOrAdd(transactionalId, id => new TransactionMetadata(id, -1, -1, timeoutMs));
        lock (metadata.Lock)
        {
            if (metadata.IsCompleting)
            {
                return InitProducerIdResult.Failed(ErrorCode.ConcurrentTransactions);
            }

            if (metadata.ProducerId < 0)
            {
                metadata.ProducerId = _producerIds.NextId();
                metadata.ProducerEpoch = 0;
            }
            else
            {
                // KIP-360: a producer that names its id and epoch may only bump the current one; an older one is a zombie.
                if (producerId >= 0 && (producerId != metadata.ProducerId || producerEpoch != metadata.ProducerEpoch))
                {
                    return InitProducerIdResult.Failed(fencedSupported ? ErrorCode.ProducerFenced : ErrorCode.InvalidProducerEpoch);
                }

                Bump(metadata);
                if (metadata.State == TransactionState.Ongoing)
                {
                    // The previous incarnation's transaction can never finish: abort it, with markers at the new epoch so
                    // the old one is fenced at every partition it wrote.
                    if (!Complete(metadata, commit: false))
                    {
                        return InitProducerIdResult.Failed(ErrorCode.CoordinatorNotAvailable);
                    }
                }
            }

            _byProducerId[metadata.ProducerId] = metadata;
            metadata.TimeoutMs = timeoutMs;
            metadata.State = TransactionState.Empty;
            metadata.LastUpdateMs = Now;
            if (!_log.Write(metadata))
            {
                return InitProducerIdResult.Failed(ErrorCode.CoordinatorNotAvailable);
            }

            return new InitProducerIdResult(ErrorCode.None, metadata.ProducerId, metadata.ProducerEpoch);
        }
    }

    /// <summary>Moves to the next epoch; at the last one, to a new producer id (as Kafka does near Short.MaxValue).</summary>
    private void Bump(TransactionMetadata metadata)
    {
        if (metadata.ProducerEpoch >= short.MaxValue - 1)
        {
            _byProducerId.TryRemove(metadata.ProducerId, out _);
            metadata.ProducerId = _producerIds.NextId();
            metadata.ProducerEpoch = 0;
        }
        else
        {
            metadata.ProducerEpoch++;
        }
    }

    /// <summary>The id/epoch checks every transactional request starts with.</summary>
    private ErrorCode Validate(TransactionMetadata? metadata, long producerId, short producerEpoch)
    {
        _ = this;
        if (metadata is null || metadata.ProducerId != producerId)
        {
            return ErrorCode.InvalidProducerIdMapping;
        }

        if (producerEpoch < metadata.ProducerEpoch)
        {
            return ErrorCode.ProducerFenced;
        }

        return producerEpoch > metadata.ProducerEpoch ? ErrorCode.InvalidProducerEpoch
            : metadata.IsCompleting ? ErrorCode.ConcurrentTransactions
            : ErrorCode.None;
    }

    /// <summary>
    /// The prologue of every request of a running producer: finds the transaction of <paramref name="transactionalId"/>,
    /// locks it and checks the producer id and epoch; runs <paramref name="body"/> when they hold, else answers
    /// <paramref name="failed"/> with the error.
    /// </summary>
    private T WithTransaction<T>(string transactionalId, long producerId, short producerEpoch, Func<ErrorCode, T> failed, Func<TransactionMetadata, T> body)
    {
        var metadata = _transactions.GetValueOrDefault(transactionalId);
        if (metadata is null)
        {
            return failed(ErrorCode.InvalidProducerIdMapping);
        }

        lock (metadata.Lock)
        {
            var error = Validate(metadata, producerId, producerEpoch);
            return error == ErrorCode.None ? body(metadata) : failed(error);
        }
    }

    /// <summary>AddPartitionsToTxn: one error per partition (all OPERATION_NOT_ATTEMPTED but the bad ones when some are unknown).</summary>
    public Dictionary<TopicPartition, ErrorCode> AddPartitions(string transactionalId, long producerId, short producerEpoch, IReadOnlyList<TopicPartition> partitions) =>
        WithTransaction(transactionalId, producerId, producerEpoch, error => partitions.Distinct().ToDictionary(p => p, _ => error), metadata =>
        {
            var unknown = partitions.Where(p => _logs.GetPartition(p.Topic, p.Partition) is null).ToHashSet();
            if (unknown.Count > 0)
            {
                return partitions.Distinct().ToDictionary(p => p, p => unknown.Contains(p) ? ErrorCode.UnknownTopicOrPartition : ErrorCode.OperationNotAttempted);
            }

            if (partitions.All(metadata.Partitions.Contains) && metadata.State == TransactionState.Ongoing)
            {
                return partitions.Distinct().ToDictionary(p => p, _ => ErrorCode.None);
            }

            Begin(metadata);
            metadata.Partitions.UnionWith(partitions);
            var stored = _log.Write(metadata) ? ErrorCode.None : ErrorCode.CoordinatorNotAvailable;
            return partitions.Distinct().ToDictionary(p => p, _ => stored);
        });

    /// <summary>AddOffsetsToTxn: the group's offsets will be part of the transaction.</summary>
    public ErrorCode AddOffsets(string transactionalId, long producerId, short producerEpoch, string groupId) =>
        WithTransaction(transactionalId, producerId, producerEpoch, error => error, metadata =>
        {
            Begin(metadata);
            if (!metadata.PendingOffsets.ContainsKey(groupId))
            {
                metadata.PendingOffsets[groupId] = [];
            }

            return _log.Write(metadata) ? ErrorCode.None : ErrorCode.CoordinatorNotAvailable;
        });

    /// <summary>TxnOffsetCommit: records the offsets as pending in the transaction; one error for all, or per partition.</summary>
    public (ErrorCode Error, Dictionary<TopicPartition, ErrorCode> Partitions) CommitOffsets(
        string transactionalId, long producerId, short producerEpoch, string groupId, int generationId, string memberId, string? groupInstanceId, IReadOnlyList<OffsetCommitEntry> entries) =>
        WithTransaction(transactionalId, producerId, producerEpoch, error => (error, new Dictionary<TopicPartition, ErrorCode>()), metadata =>
        {
            // AddOffsetsToTxn must come first, or an abort would not know to drop these.
            var error = metadata.State != TransactionState.Ongoing || !metadata.PendingOffsets.ContainsKey(groupId)
                ? ErrorCode.InvalidTxnState
                : _groups.ValidateTransactionalCommit(groupId, generationId, memberId, groupInstanceId);

            if (error != ErrorCode.None)
            {
                return (error, new Dictionary<TopicPartition, ErrorCode>());
            }

            var results = new Dictionary<TopicPartition, ErrorCode>();
            var pending = metadata.PendingOffsets[groupId];
            foreach (var entry in entries)
            {
                var partition = new TopicPartition(entry.Topic, entry.Partition);
                if (_logs.GetPartition(entry.Topic, entry.Partition) is null)
                {
                    results[partition] = ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                pending[partition] = entry;
                results[partition] = ErrorCode.None;
            }

            if (!_log.Write(metadata))
            {
                return (ErrorCode.CoordinatorNotAvailable, new Dictionary<TopicPartition, ErrorCode>());
            }

            // From here until the transaction ends, OffsetFetch with RequireStable answers UNSTABLE_OFFSET_COMMIT for these.
            _groups.AddPendingTransactionalOffsets(groupId, metadata.TransactionalId, pending.Keys);
            return (ErrorCode.None, results);
        });

    /// <summary>EndTxn: writes the markers and applies (commit) or drops (abort) the pending offsets.</summary>
    public ErrorCode EndTransaction(string transactionalId, long producerId, short producerEpoch, bool commit) =>
        WithTransaction(transactionalId, producerId, producerEpoch, error => error, metadata =>
        {
            switch (metadata.State)
            {
                case TransactionState.Ongoing:
                    return Complete(metadata, commit) ? ErrorCode.None : ErrorCode.CoordinatorNotAvailable;

                // A retry of the EndTxn that already finished: answer as it was answered.
                case TransactionState.CompleteCommit when commit:
                case TransactionState.CompleteAbort when !commit:
                    return ErrorCode.None;
                default:
                    return ErrorCode.InvalidTxnState;
            }
        });

    /// <summary>
    /// Produce of a transactional batch: appends it while holding the transaction's lock, so it cannot land after the
    /// marker of the transaction it belongs to, and only to partitions added to that transaction (INVALID_TXN_STATE).
    /// </summary>
    public AppendResult AppendTransactional(Partition partition, long producerId, short producerEpoch, Func<AppendResult> append)
    {
        if (!_byProducerId.TryGetValue(producerId, out var metadata))
        {
            return AppendResult.Failed(ErrorCode.InvalidProducerIdMapping, $"Producer id {producerId} belongs to no transactional id");
        }

        lock (metadata.Lock)
        {
            if (metadata.ProducerId != producerId || producerEpoch < metadata.ProducerEpoch)
            {
                return AppendResult.Failed(ErrorCode.InvalidProducerEpoch, $"Producer {producerId} epoch {producerEpoch} is fenced");
            }

            if (metadata.State != TransactionState.Ongoing || !metadata.Partitions.Contains(new TopicPartition(partition.TopicName, partition.Index)))
            {
                return AppendResult.Failed(ErrorCode.InvalidTxnState, $"{partition.TopicName}-{partition.Index} is not part of the open transaction of {metadata.TransactionalId}");
            }

            return append();
        }
    }

    /// <summary>The transactional id a producer id belongs to (for authorization of Produce).</summary>
    public string? TransactionalIdOf(long producerId) => _byProducerId.TryGetValue(producerId, out var m) ? m.TransactionalId : null;

    public TransactionDescription? Describe(string transactionalId)
    {
        if (!_transactions.TryGetValue(transactionalId, out var m))
        {
            return null;
        }

        lock (m.Lock)
        {
            return m.ProducerId < 0 ? null : new TransactionDescription(m.TransactionalId, m.ProducerId, m.ProducerEpoch, m.TimeoutMs, m.State, m.StartTimeMs, [.. m.Partitions]);
        }
    }

    public IReadOnlyList<TransactionDescription> List() =>
        [.. _transactions.Keys.Select(Describe).OfType<TransactionDescription>().OrderBy(d => d.TransactionalId, StringComparer.Ordinal)];

    /// <summary>Operators: aborts the open transaction of a transactional id (fencing its producer, as a timeout does).</summary>
    public ErrorCode Abort(string transactionalId)
    {
        if (!_transactions.TryGetValue(transactionalId, out var metadata))
        {
            return ErrorCode.TransactionalIdNotFound;
        }

        lock (metadata.Lock)
        {
            if (metadata.State != TransactionState.Ongoing)
            {
                return ErrorCode.InvalidTxnState;
            }

            Bump(metadata);
            _byProducerId[metadata.ProducerId] = metadata;
            return Complete(metadata, commit: false) ? ErrorCode.None : ErrorCode.CoordinatorNotAvailable;
        }
    }

    private void Begin(TransactionMetadata metadata)
    {
        if (metadata.State != TransactionState.Ongoing)
        {
            metadata.State = TransactionState.Ongoing;
            metadata.StartTimeMs = Now;
            metadata.Partitions.Clear();
            metadata.PendingOffsets.Clear();
        }

        metadata.LastUpdateMs = Now;
    }

    /// <summary>
    /// Ends the open transaction (caller holds its lock): Prepare state stored, a marker to every partition, the
    /// pending offsets applied on commit, Complete state stored. A crash in between resumes from the Prepare state.
    /// </summary>
    private bool Complete(TransactionMetadata metadata, bool commit)
    {
        if (!metadata.IsCompleting)
        {
            metadata.State = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
            metadata.LastUpdateMs = Now;
            if (!_log.Write(metadata))
            {
                metadata.State = TransactionState.Ongoing;
                return false;
            }
        }

        foreach (var tp in metadata.Partitions)
        {
            try
            {
                _logs.GetPartition(tp.Topic, tp.Partition)?.WriteTransactionMarker(metadata.ProducerId, metadata.ProducerEpoch, commit, Epoch);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // A deleted topic needs no marker; a failed disk keeps the Prepare state so a restart tries again.
                LogMarkerFailed(_logger, metadata.TransactionalId, tp.Topic, tp.Partition, ex.Message);
            }
        }

        if (commit)
        {
            foreach (var (group, offsets) in metadata.PendingOffsets.Where(g => g.Value.Count > 0))
            {
                var stored = _groups.ApplyTransactionalOffsets(group, offsets.Values);
                if (stored != ErrorCode.None)
                {
                    LogOffsetsFailed(_logger, metadata.TransactionalId, group, stored);
                }
            }
        }

        // After the offsets are stored (commit), so a RequireStable OffsetFetch never sees neither the pending nor the new ones.
        foreach (var group in metadata.PendingOffsets.Keys)
        {
            _groups.ClearPendingTransactionalOffsets(group, metadata.TransactionalId);
        }

        metadata.State = commit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
        metadata.Partitions.Clear();
        metadata.PendingOffsets.Clear();
        metadata.StartTimeMs = -1;
        metadata.LastUpdateMs = Now;
        _log.Write(metadata);
        LogCompleted(_logger, metadata.TransactionalId, metadata.ProducerId, metadata.ProducerEpoch, commit ? "committed" : "aborted");
        return true;
    }

    /// <summary>Aborts transactions open longer than their timeout, bumping the epoch so their producer is fenced.</summary>
    public void AbortTimedOut()
    {
        var now = Now;
        foreach (var metadata in _transactions.Values)
        {
            lock (metadata.Lock)
            {
                if (metadata.State == TransactionState.Ongoing && metadata.StartTimeMs >= 0 && now - metadata.StartTimeMs > metadata.TimeoutMs)
                {
                    LogTimedOut(_logger, metadata.TransactionalId, metadata.TimeoutMs);
                    Bump(metadata);
                    _byProducerId[metadata.ProducerId] = metadata;
                    Complete(metadata, commit: false);
                }
            }
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeoutCheckInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    AbortTimedOut();
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
                {
                    LogCheckFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Transaction coordinator epoch {Epoch}: {Count} transactional ids loaded")]
    private static partial void LogStarted(ILogger logger, int epoch, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Transaction of {TransactionalId} (producer {ProducerId}, epoch {Epoch}) {Outcome}")]
    private static partial void LogCompleted(ILogger logger, string transactionalId, long producerId, short epoch, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transaction of {TransactionalId} exceeded its timeout of {TimeoutMs} ms: aborting it")]
    private static partial void LogTimedOut(ILogger logger, string transactionalId, int timeoutMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Completing the transaction of {TransactionalId} found in state {State} at start")]
    private static partial void LogResumed(ILogger logger, string transactionalId, TransactionState state);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the marker of {TransactionalId} to {Topic}-{Partition}: {Reason}")]
    private static partial void LogMarkerFailed(ILogger logger, string transactionalId, string topic, int partition, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store the committed offsets of {TransactionalId} for group {Group}: {Error}")]
    private static partial void LogOffsetsFailed(ILogger logger, string transactionalId, string group, ErrorCode error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Transaction timeout check failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
