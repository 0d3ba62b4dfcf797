using System.Threading.Channels;
using Confluent.Kafka;

namespace Streams.Messaging.Consuming;

/// <summary>
/// The records of one assigned partition, handled one after another (so per-key order holds) while other partitions'
/// workers run at the same time. The consume loop feeds it and reads back how far it got; only the loop touches the
/// consumer. A full buffer makes the loop pause the partition rather than block every other partition behind it.
/// </summary>
internal sealed class PartitionWorker
{
    private readonly Channel<ConsumeResult<string, byte[]>> _buffer;
    private readonly Queue<ConsumeResult<string, byte[]>> _overflow = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _handledUpTo = -1;

    public PartitionWorker(TopicPartition partition, int capacity, Func<ConsumeResult<string, byte[]>, CancellationToken, Task> handle)
    {
        Partition = partition;
        _buffer = Channel.CreateBounded<ConsumeResult<string, byte[]>>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        Completion = Task.Run(() => RunAsync(handle));
    }

    public TopicPartition Partition { get; }

    /// <summary>Ends when the worker stopped; faults when a record could neither be handled nor dead-lettered.</summary>
    public Task Completion { get; }

    /// <summary>The offset to commit: one past the last record handled, or -1 before the first.</summary>
    public long HandledUpTo => Interlocked.Read(ref _handledUpTo);

    /// <summary>The offset last stored for commit (the loop's bookkeeping).</summary>
    public long Stored { get; set; } = -1;

    /// <summary>Whether the loop paused the partition because the worker fell behind.</summary>
    public bool Paused { get; set; }

    /// <summary>Hands a record over; false when the worker is full (the record is kept and handed over later).</summary>
    public bool Enqueue(ConsumeResult<string, byte[]> record)
    {
        if (_overflow.Count == 0 && _buffer.Writer.TryWrite(record))
        {
            return true;
        }

        _overflow.Enqueue(record);
        return false;
    }

    /// <summary>Moves kept records into the buffer as it drains; true once nothing is kept back.</summary>
    public bool Drain()
    {
        while (_overflow.TryPeek(out var record) && _buffer.Writer.TryWrite(record))
        {
            _overflow.Dequeue();
        }

        return _overflow.Count == 0;
    }

    /// <summary>
    /// Stops after the record in hand: records not started yet are left to whoever reads the partition next, from
    /// the committed offset. <paramref name="abandonAfter"/> bounds the wait: a handler still running then finishes
    /// unobserved, and its record is read again by the partition's next reader (at least once).
    /// </summary>
    public async Task StopAsync(TimeSpan abandonAfter)
    {
        _buffer.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAny(Completion, Task.Delay(abandonAfter)).ConfigureAwait(false);
    }

    private async Task RunAsync(Func<ConsumeResult<string, byte[]>, CancellationToken, Task> handle)
    {
        try
        {
            while (!_stopping.IsCancellationRequested && await _buffer.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                while (!_stopping.IsCancellationRequested && _buffer.Reader.TryRead(out var record))
                {
                    // The record in hand is finished even when stopping: its handler gets no cancellation.
                    await handle(record, CancellationToken.None).ConfigureAwait(false);
                    Interlocked.Exchange(ref _handledUpTo, record.Offset.Value + 1);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }
}
