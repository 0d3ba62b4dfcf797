using System.Globalization;

namespace Streams.Broker.Storage;

internal static class FileUtil
{
    /// <summary>Longest file or directory name Linux, macOS and Windows file systems accept (bytes; names here are ASCII).</summary>
    public const int MaxNameLength = 255;

    /// <summary>Write-to-temp, fsync, rename: readers see the old file or the new one, never a torn mix.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temp = SiblingPath(path, ".tmp");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public static void WriteAtomically(string path, string content) =>
        WriteAtomically(path, System.Text.Encoding.UTF8.GetBytes(content));

    /// <summary>
    /// <paramref name="path"/> with <paramref name="suffix"/> appended to its last name, shortened when needed so the
    /// name stays within <see cref="MaxNameLength"/>: a 249-character topic already uses 254 characters for its
    /// metadata file, so a plain ".tmp" or "-quarantined" suffix would not fit. A shortened name keeps its start
    /// (readable) and a hash of the whole name (distinct).
    /// </summary>
    public static string SiblingPath(string path, string suffix)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(path);
        var name = Path.GetFileName(trimmed);
        var directory = Path.GetDirectoryName(trimmed) ?? "";
        if (name.Length + suffix.Length > MaxNameLength)
        {
            var hash = Records.Crc32C.Compute(System.Text.Encoding.UTF8.GetBytes(name)).ToString("x8", CultureInfo.InvariantCulture);
            name = name[..(MaxNameLength - suffix.Length - hash.Length - 1)] + "~" + hash;
        }

        return Path.Combine(directory, name + suffix);
    }

    /// <summary>A suffix that sets a file or directory aside for inspection, unique per moment so repeated quarantines do not collide.</summary>
    public static string QuarantineSuffix(DateTimeOffset now) =>
        "." + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture) + "-quarantined";
}
