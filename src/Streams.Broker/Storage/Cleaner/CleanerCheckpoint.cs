using System.Globalization;

namespace Streams.Broker.Storage.Cleaner;

/// <summary>
/// What the cleaner remembers of one log between runs, in <c>cleaner-offset-checkpoint</c> beside its segments
/// (Kafka keeps one such file per log directory; one per partition directory goes away with the topic for free):
/// the first dirty offset (everything below it has been cleaned, so only the bytes above it count as dirty for
/// <c>min.cleanable.dirty.ratio</c>) and the earliest delete horizon of a tombstone still kept, so the log is cleaned
/// again when that tombstone may go even if nothing new was written.
/// </summary>
internal readonly record struct CleanerCheckpoint(long FirstDirtyOffset, long NextDeleteHorizonMs)
{
    public const string FileName = "cleaner-offset-checkpoint";

    public static readonly CleanerCheckpoint None = new(0, long.MaxValue);

    public static CleanerCheckpoint Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return None;
        }

        // Written atomically, so a partial file means a damaged disk: start over, which only costs one extra clean.
        var lines = File.ReadAllLines(path);
        return lines.Length >= 2
            && long.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var dirty)
            && long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var horizon)
            ? new CleanerCheckpoint(dirty, horizon)
            : None;
    }

    public void Write(string directory) =>
        FileUtil.WriteAtomically(
            Path.Combine(directory, FileName),
            string.Create(CultureInfo.InvariantCulture, $"{FirstDirtyOffset}\n{NextDeleteHorizonMs}\n"));
}
