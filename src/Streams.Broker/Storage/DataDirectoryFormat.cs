using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Streams.Broker.Storage;

/// <summary>
/// The on-disk format version of a data directory, in <c>meta/format.version</c>. A broker refuses a directory
/// written in a newer format (it could misread it and, worse, write into it) and upgrades an older one in place
/// before anything else touches it.
/// </summary>
/// <remarks>
/// Versions:
/// 1 — everything before versioning (no file): segments, .index/.timeindex written for tools, JSON topic metadata.
/// 2 — .index/.timeindex are trusted for rolled segments and, after a clean shutdown, for all of them (so they
///     must be exact); producer state is snapshotted at shutdown (producer-state.snapshot) and at each roll
///     (&lt;offset&gt;.producer-snapshot); damaged files are set aside with a "quarantined" suffix; topic metadata is
///     written after its partitions exist. Version-1 files already satisfy all of this (a missing snapshot only
///     means a full replay), so 1 → 2 only records the new version.
/// </remarks>
internal static partial class DataDirectoryFormat
{
    public const int Current = 2;

    public const string FileName = "format.version";

    /// <summary>Checks the version of <paramref name="dataDirectory"/>, upgrading it when older; throws when it is newer or unreadable.</summary>
    public static int CheckAndUpgrade(string dataDirectory, ILogger logger)
    {
        var meta = Path.Combine(dataDirectory, "meta");
        var path = Path.Combine(meta, FileName);
        int version;
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version) || version < 1)
            {
                throw new InvalidDataException($"{path} does not hold a format version (found '{text}'); this broker writes format version {Current}. Fix or restore the file; the broker will not guess the format of the data.");
            }
        }
        else
        {
            // No file: either a new directory (written in the current format from the start) or one from before versioning.
            var hasData = Directory.Exists(meta) && Directory.EnumerateFileSystemEntries(meta).Any();
            version = hasData ? 1 : Current;
        }

        if (version > Current)
        {
            throw new InvalidDataException($"Data directory {dataDirectory} has on-disk format version {version}, newer than version {Current} that this broker supports. Run a broker release that supports format {version}, or restore a backup made for format {Current}.");
        }

        if (version < Current || !File.Exists(path))
        {
            Directory.CreateDirectory(meta);
            Upgrade(version);
            FileUtil.WriteAtomically(path, Current.ToString(CultureInfo.InvariantCulture) + "\n");
            if (version < Current)
            {
                LogUpgraded(logger, dataDirectory, version, Current);
            }
        }

        return version;
    }

    /// <summary>Rewrites what differs between <paramref name="from"/> and <see cref="Current"/>; each step must be safe to repeat after a crash.</summary>
    private static void Upgrade(int from)
    {
        // 1 → 2: nothing to rewrite (see the remarks). Later steps go here, oldest first.
        _ = from;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upgraded data directory {Directory} from on-disk format version {From} to {To}")]
    private static partial void LogUpgraded(ILogger logger, string directory, int from, int to);
}
