using System.Buffers;

namespace Streams.Broker.Records;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>; codecs write into it and the owner
/// returns the array by disposing. <see cref="Memory"/> covers only the bytes written.
/// </summary>
internal sealed class PooledBuffer : IMemoryOwner<byte>, IBufferWriter<byte>
{
    private byte[]? _array;
    private int _length;

    public PooledBuffer(int initialCapacity)
    {
        _array = ArrayPool<byte>.Shared.Rent(Math.Clamp(initialCapacity, 256, MaxCapacity));
    }

    public int Length => _length;

    public Memory<byte> Memory => Array.AsMemory(0, _length);

    public Span<byte> Span => Array.AsSpan(0, _length);

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledBuffer));

    public void Advance(int count)
    {
        if (count < 0 || _length + count > Array.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return Array.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return Array.AsSpan(_length);
    }

    /// <summary>Reads <paramref name="source"/> to its end into the buffer.</summary>
    public void ReadToEnd(Stream source)
    {
        while (true)
        {
            var read = source.Read(GetSpan(4096));
            if (read == 0)
            {
                return;
            }

            Advance(read);
        }
    }

    public void Dispose()
    {
        var array = _array;
        _array = null;
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>
    /// Upper bound for one decompressed batch. A few kilobytes of zstd can claim gigabytes; without a bound one
    /// request could exhaust the broker's memory. Far above any batch a client builds (librdkafka caps batches at 1 MB).
    /// </summary>
    public const int MaxCapacity = 256 * 1024 * 1024;

    private void EnsureFree(int sizeHint)
    {
        var array = Array;
        var needed = Math.Max(sizeHint, 1);
        if (array.Length - _length >= needed)
        {
            return;
        }

        var newSize = Math.Max((long)array.Length * 2, (long)_length + needed);
        if (newSize > MaxCapacity)
        {
            newSize = (long)_length + needed <= MaxCapacity
                ? MaxCapacity
                : throw new InvalidDataException($"Decompressed batch exceeds {MaxCapacity / (1024 * 1024)} MiB.");
        }

        var grown = ArrayPool<byte>.Shared.Rent((int)newSize);
        array.AsSpan(0, _length).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(array);
        _array = grown;
    }
}
