using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Streams.Broker.Storage.Cleaner;

/// <summary>
/// The cleaner's map from key to the latest offset seen for it in the dirty section (Kafka's <c>SkimpyOffsetMap</c>):
/// keys are stored as their 16-byte MD5 so every key costs the same 24 bytes whatever its size, and memory is fixed up
/// front by <c>log.cleaner.dedupe.buffer.size</c>. A collision would drop an older record of a different key; with a
/// 128-bit hash that is far less likely than a disk error, which is the trade Kafka makes too.
/// </summary>
internal sealed class OffsetMap
{
    public const int BytesPerEntry = 24;

    // Open addressing degrades sharply when nearly full; Kafka stops at 90% (log.cleaner.io.buffer.load.factor).
    private const double LoadFactor = 0.9;

    private readonly ulong[] _hashHigh;
    private readonly ulong[] _hashLow;
    private readonly long[] _offsets;

    public OffsetMap(long memoryBytes)
    {
        var slots = (int)Math.Clamp(memoryBytes / BytesPerEntry, 16, Array.MaxLength);
        _hashHigh = new ulong[slots];
        _hashLow = new ulong[slots];
        _offsets = new long[slots];
        MaxEntries = Math.Max(1, (int)(slots * LoadFactor));
        Clear();
    }

    /// <summary>How many distinct keys fit before <see cref="Put"/> refuses new ones.</summary>
    public int MaxEntries { get; }

    public int Count { get; private set; }

    /// <summary>The largest offset put since the last <see cref="Clear"/>, -1 when none.</summary>
    public long LatestOffset { get; private set; } = -1;

    public void Clear()
    {
        Array.Fill(_offsets, -1L);
        Count = 0;
        LatestOffset = -1;
    }

    /// <summary>Records <paramref name="offset"/> as the latest for <paramref name="key"/>; false (nothing stored) when the map is full and the key is new.</summary>
    public bool Put(ReadOnlySpan<byte> key, long offset)
    {
        var (high, low) = Hash(key);
        var slot = Find(high, low);
        if (_offsets[slot] < 0)
        {
            if (Count >= MaxEntries)
            {
                return false;
            }

            _hashHigh[slot] = high;
            _hashLow[slot] = low;
            Count++;
        }

        _offsets[slot] = offset;
        LatestOffset = Math.Max(LatestOffset, offset);
        return true;
    }

    /// <summary>The latest offset recorded for <paramref name="key"/>, or -1.</summary>
    public long Get(ReadOnlySpan<byte> key)
    {
        var (high, low) = Hash(key);
        return _offsets[Find(high, low)];
    }

    private int Find(ulong high, ulong low)
    {
        // Linear probing from a slot chosen by the hash; the load factor guarantees an empty slot ends every probe.
        var slot = (int)(low % (ulong)_offsets.Length);
        while (_offsets[slot] >= 0 && (_hashHigh[slot] != high || _hashLow[slot] != low))
        {
            slot = slot + 1 == _offsets.Length ? 0 : slot + 1;
        }

        return slot;
    }

    private static (ulong High, ulong Low) Hash(ReadOnlySpan<byte> key)
    {
        Span<byte> digest = stackalloc byte[16];
        MD5.HashData(key, digest);
        return (BinaryPrimitives.ReadUInt64LittleEndian(digest), BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]));
    }
}
