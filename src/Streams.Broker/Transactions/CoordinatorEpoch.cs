using System.Globalization;
using Microsoft.Extensions.Logging;
using Streams.Broker.Storage;

namespace Streams.Broker.Transactions;

/// <summary>
/// The transaction coordinator's epoch: Kafka's is the leader epoch of the <c>__transaction_state</c> partition, which
/// grows each time a broker becomes its leader and loads it. This broker is the only leader there ever is, so it
/// becomes leader once per start: the epoch is persisted in <c>meta/transaction-coordinator-epoch</c> and bumped
/// before any transaction is loaded. Markers carry it, and partitions refuse a marker from an older coordinator
/// epoch than the last one they saw for the producer (TRANSACTION_COORDINATOR_FENCED), so a stale operator abort
/// cannot end a transaction a newer coordinator already ended.
/// </summary>
internal static partial class CoordinatorEpoch
{
    private const string FileName = "transaction-coordinator-epoch";

    /// <summary>Reads the previous epoch (none: -1), stores and returns the next one.</summary>
    public static int Advance(string metaDirectory, ILogger logger, TimeProvider time)
    {
        Directory.CreateDirectory(metaDirectory);
        var path = Path.Combine(metaDirectory, FileName);
        var previous = File.Exists(path) ? Read(path, logger, time) : -1;
        var next = previous == int.MaxValue ? 0 : previous + 1;
        FileUtil.WriteAtomically(path, next.ToString(CultureInfo.InvariantCulture));
        return next;
    }

    /// <summary>
    /// The stored epoch, or — when the file is damaged — a value above any epoch handed out before (the Unix time in
    /// seconds, while bumps happen once per start), so the new coordinator's markers are never fenced by older ones.
    /// </summary>
    private static int Read(string path, ILogger logger, TimeProvider time)
    {
        var text = File.ReadAllText(path).Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
        {
            return epoch;
        }

        var now = time.GetUtcNow();
        var restart = (int)Math.Min(int.MaxValue - 1, now.ToUnixTimeSeconds());
        var aside = FileUtil.SiblingPath(path, FileUtil.QuarantineSuffix(now));
        File.Move(path, aside);
        LogDamaged(logger, path, text.Length > 40 ? text[..40] + "…" : text, aside, restart);
        return restart;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{File} is damaged (it holds '{Content}', not a coordinator epoch); set aside as {Aside}, the coordinator epoch continues from {Restart}")]
    private static partial void LogDamaged(ILogger logger, string file, string content, string aside, int restart);
}
