using System.Buffers;
using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Streams.Broker.Network;

/// <summary>
/// The buffers of the broker's socket pipes: pooled 64 KB segments. Kestrel's socket transport, when built outside
/// ASP.NET Core's dependency injection as the broker builds it, gets a memory pool that allocates a new 4 KB array for
/// every receive: measured with kcat producing, the broker allocated as many bytes as it received and spent about a
/// seventh of its CPU clearing new memory, and made one recv call per 4 KB of a megabyte produce request.
/// </summary>
internal sealed class SegmentMemoryPool : MemoryPool<byte>
{
    private const int SegmentSize = 64 * 1024;

    public override int MaxBufferSize => int.MaxValue;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => new Segment(ArrayPool<byte>.Shared.Rent(Math.Max(minBufferSize, SegmentSize)));

    /// <summary>
    /// Gives Kestrel's connection factory this pool. The setting is not public (ASP.NET Core sets it from its service
    /// container), so it is set by name; if a later Kestrel renames it, connections keep Kestrel's default pool.
    /// </summary>
    public static SocketConnectionFactoryOptions Use(SocketConnectionFactoryOptions options)
    {
        typeof(SocketConnectionFactoryOptions).GetProperty("MemoryPoolFactory", BindingFlags.Instance | BindingFlags.NonPublic)?
            .SetValue(options, Factory.Instance);
        return options;
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Factory : IMemoryPoolFactory<byte>
    {
        public static readonly Factory Instance = new();

        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new SegmentMemoryPool();
    }

    private sealed class Segment(byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Segment));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned)
            {
                ArrayPool<byte>.Shared.Return(returned);
            }
        }
    }
}
