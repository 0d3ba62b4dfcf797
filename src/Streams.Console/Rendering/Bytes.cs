using System.Globalization;

namespace Streams.KafkaConsole.Rendering;

/// <summary>Byte counts as a person reads them.</summary>
internal static class Bytes
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>e.g. 0 B, 812 B, 4.2 KiB, 1.5 GiB; "unknown" for null.</summary>
    public static string Readable(long? bytes)
    {
        if (bytes is not { } value)
        {
            return "unknown";
        }

        double size = value;
        var unit = 0;
        while (size >= 1024 && unit < Units.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return unit == 0 ? $"{value} B" : size.ToString(size < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
