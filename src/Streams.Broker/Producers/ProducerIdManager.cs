using System.Globalization;
using Streams.Broker.Storage;

namespace Streams.Broker.Producers;

/// <summary>
/// Hands out producer ids that are never reused, even across restarts: ids come from blocks whose upper bound is
/// persisted before any id of the block is handed out, so a crash only skips ids, never repeats them.
/// </summary>
internal sealed class ProducerIdManager
{
    private const long BlockSize = 1000;
    private readonly string _path;
    private readonly Lock _lock = new();
    private long _next;
    private long _blockEnd;

    public ProducerIdManager(string metaDirectory)
    {
        Directory.CreateDirectory(metaDirectory);
        _path = Path.Combine(metaDirectory, "producer-id-block");
        _next = File.Exists(_path) ? long.Parse(File.ReadAllText(_path).Trim(), CultureInfo.InvariantCulture) : 0;
        _blockEnd = _next;
    }

    public long NextId()
    {
        lock (_lock)
        {
            if (_next >= _blockEnd)
            {
                _blockEnd = _next + BlockSize;
                FileUtil.WriteAtomically(_path, _blockEnd.ToString(CultureInfo.InvariantCulture));
            }

            return _next++;
        }
    }
}
