namespace Streams.Broker.Storage;

internal static class FileUtil
{
    /// <summary>Write-to-temp, fsync, rename: readers see the old file or the new one, never a torn mix.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public static void WriteAtomically(string path, string content) =>
        WriteAtomically(path, System.Text.Encoding.UTF8.GetBytes(content));
}
