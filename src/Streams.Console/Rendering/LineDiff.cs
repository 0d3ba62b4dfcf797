namespace Streams.KafkaConsole.Rendering;

/// <summary>How one line of a diff reads: in both, only in the old text, only in the new one.</summary>
public enum DiffKind
{
    /// <summary>In both texts.</summary>
    Same,

    /// <summary>Only in the old text.</summary>
    Removed,

    /// <summary>Only in the new text.</summary>
    Added,
}

/// <summary>A line-by-line diff (longest common subsequence), enough for two versions of a schema.</summary>
public static class LineDiff
{
    /// <summary>The lines of both texts in order, each marked same, removed or added.</summary>
    public static IReadOnlyList<(DiffKind Kind, string Line)> Compare(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var lines = new List<(DiffKind, string)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((DiffKind.Same, a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || common[x, y + 1] >= common[x + 1, y]))
            {
                lines.Add((DiffKind.Added, b[y++]));
            }
            else
            {
                lines.Add((DiffKind.Removed, a[x++]));
            }
        }

        return lines;
    }
}
