using System.Globalization;

namespace Streams.Broker.Network;

/// <summary>
/// Keeps sockets from taking the process to its file-handle limit. At the limit the .NET runtime cannot start a
/// thread (each new thread needs a pipe), and a thread pool or runtime thread that fails to start ends the process
/// with "Out of memory." whatever the accept loop does. So connections may use only part of the handles left when
/// the listener starts; the rest stays for log segments, the runtime and the transient handle of a refused accept.
/// </summary>
internal static class FileHandleLimit
{
    /// <summary>Handles always left to the rest of the process, beyond the share below.</summary>
    private const int Reserve = 32;

    /// <summary>
    /// How many connections fit in this process's handle limit (Linux), or null where it cannot be read: three
    /// quarters of the handles not yet open, less <see cref="Reserve"/>.
    /// </summary>
    public static int? ConnectionCapacity()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var limit = SoftLimit();
            if (limit is null)
            {
                return null;
            }

            var open = Directory.GetFileSystemEntries("/proc/self/fd").Length;
            var free = limit.Value - open;
            return (int)Math.Clamp(free * 3 / 4 - Reserve, 0, int.MaxValue);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The soft RLIMIT_NOFILE from /proc/self/limits ("Max open files  soft  hard  files").</summary>
    private static long? SoftLimit()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.TryParse(soft, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
            }
        }

        return null;
    }
}
