using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Streams.Broker.Storage.Cleaner;

/// <summary>
/// The on-disk protocol that makes replacing segments by their cleaned version crash-safe (Kafka's <c>.cleaned</c> /
/// <c>.swap</c> scheme). A group of old segments [<c>base</c>, <c>next</c>) is replaced in four steps:
/// <list type="number">
/// <item>write and fsync <c>base.next.cleaned</c> — a crash now leaves the old segments intact, the file is junk;</item>
/// <item>rename it to <c>base.next.swap</c> — from here the new content is committed;</item>
/// <item>delete every old segment whose base offset lies in [base, next);</item>
/// <item>rename the swap file to <c>base.log</c>.</item>
/// </list>
/// On open (<see cref="Recover"/>) <c>.cleaned</c> files are deleted and every <c>.swap</c> is completed by redoing
/// steps 3 and 4, so the log holds either all old segments or the cleaned one, never both or neither. Naming the
/// replaced range in the file (Kafka infers it from the swap segment's offsets) keeps step 3 exact even when the
/// cleaned segment is empty or ends well before the last old segment did.
/// </summary>
internal static partial class CleanerSwap
{
    public const string CleanedExtension = ".cleaned";
    public const string SwapExtension = ".swap";

    public static string CleanedPath(string directory, long baseOffset, long nextBaseOffset) =>
        Path.Combine(directory, Name(baseOffset, nextBaseOffset) + CleanedExtension);

    public static string SwapPath(string directory, long baseOffset, long nextBaseOffset) =>
        Path.Combine(directory, Name(baseOffset, nextBaseOffset) + SwapExtension);

    private static string Name(long baseOffset, long nextBaseOffset) =>
        baseOffset.ToString("D20", CultureInfo.InvariantCulture) + "." + nextBaseOffset.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>Steps 3 and 4: the old segments' files go, the swap file becomes <c>base.log</c>.</summary>
    public static void Complete(string directory, long baseOffset, long nextBaseOffset, Action<string>? afterStep = null)
    {
        foreach (var oldBase in SegmentBaseOffsets(directory).Where(o => o >= baseOffset && o < nextBaseOffset))
        {
            foreach (var extension in new[] { ".log", ".index", ".timeindex" })
            {
                File.Delete(LogSegment.FilePath(directory, oldBase, extension));
            }
        }

        afterStep?.Invoke("deleted");
        File.Move(SwapPath(directory, baseOffset, nextBaseOffset), LogSegment.FilePath(directory, baseOffset, ".log"));
    }

    /// <summary>Run before the segments are opened: drops unfinished cleanings and completes committed swaps.</summary>
    public static void Recover(string directory, ILogger logger)
    {
        foreach (var cleaned in Directory.EnumerateFiles(directory, "*" + CleanedExtension))
        {
            File.Delete(cleaned);
            LogDroppedCleaned(logger, cleaned);
        }

        foreach (var swap in Directory.EnumerateFiles(directory, "*" + SwapExtension).Order(StringComparer.Ordinal))
        {
            var parts = Path.GetFileNameWithoutExtension(swap).Split('.');
            if (parts.Length != 2
                || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var baseOffset)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var nextBaseOffset))
            {
                continue;
            }

            Complete(directory, baseOffset, nextBaseOffset);
            LogCompletedSwap(logger, directory, baseOffset, nextBaseOffset);
        }
    }

    private static IEnumerable<long> SegmentBaseOffsets(string directory) =>
        Directory.EnumerateFiles(directory, "*.log")
            .Select(path => long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : -1)
            .Where(o => o >= 0)
            .ToList();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted {Path}: a cleaning interrupted before its swap")]
    private static partial void LogDroppedCleaned(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Completed the interrupted swap of cleaned segments [{BaseOffset}, {NextBaseOffset}) in {Directory}")]
    private static partial void LogCompletedSwap(ILogger logger, string directory, long baseOffset, long nextBaseOffset);
}
