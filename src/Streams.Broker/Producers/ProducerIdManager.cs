using System.Globalization;
using Microsoft.Extensions.Logging;
using Streams.Broker.Storage;

namespace Streams.Broker.Producers;

/// <summary>
/// Hands out producer ids that are never reused, even across restarts: ids come from blocks whose upper bound is
/// persisted before any id of the block is handed out, so a crash only skips ids, never repeats them.
/// </summary>
internal sealed partial class ProducerIdManager
{
    private const long BlockSize = 1000;
    private readonly string _path;
    private readonly Lock _lock = new();
    private long _next;
    private long _blockEnd;

    public ProducerIdManager(string metaDirectory, ILogger? logger = null, TimeProvider? time = null)
    {
        Directory.CreateDirectory(metaDirectory);
        _path = Path.Combine(metaDirectory, "producer-id-block");
        _next = File.Exists(_path) ? Read(_path, logger, time ?? TimeProvider.System) : 0;
        _blockEnd = _next;
    }

    /// <summary>
    /// The persisted block end, or — when the file is damaged — a restart point far above any id handed out
    /// before: the file is set aside and ids continue from the current time in microseconds. Reusing an id could
    /// make a partition treat a new producer's first batch as a duplicate or a sequence gap of an old one; ids
    /// handed out in blocks of 1,000 from 0 stay many orders of magnitude below that point.
    /// </summary>
    private static long Read(string path, ILogger? logger, TimeProvider time)
    {
        var text = File.ReadAllText(path).Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var next) && next >= 0)
        {
            return next;
        }

        var now = time.GetUtcNow();
        var restart = now.ToUnixTimeMilliseconds() * 1000;
        var aside = FileUtil.SiblingPath(path, FileUtil.QuarantineSuffix(now));
        File.Move(path, aside);
        if (logger is not null)
        {
            LogDamaged(logger, path, text.Length > 40 ? text[..40] + "…" : text, aside, restart);
        }

        return restart;
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

    [LoggerMessage(Level = LogLevel.Error, Message = "{File} is damaged (it holds '{Content}', not a producer id); set aside as {Aside}, producer ids continue from {Restart} so none is reused")]
    private static partial void LogDamaged(ILogger logger, string file, string content, string aside, long restart);
}
