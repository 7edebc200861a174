namespace BlueGreen.Core.Routing;

public enum DiffKind
{
    Same,
    Added,
    Removed,
}

public sealed record DiffLine(DiffKind Kind, string Text)
{
    public override string ToString() => Kind switch { DiffKind.Added => "+ ", DiffKind.Removed => "- ", _ => "  " } + Text;
}

/// <summary>
/// A line diff for showing a plan. It keeps in place the common lines with the most text (an LCS
/// weighted by line length), so that when weights swap, "- name: shop-b" stays put and the two
/// weight lines show as changed. Routing files are small: the quadratic table is cheap.
/// </summary>
public static class LineDiff
{
    public static IReadOnlyList<DiffLine> Compute(string before, string after)
    {
        var a = SplitLines(before);
        var b = SplitLines(after);
        var kept = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                kept[i, j] = a[i] == b[j]
                    ? kept[i + 1, j + 1] + Weight(a[i])
                    : Math.Max(kept[i + 1, j], kept[i, j + 1]);
            }
        }

        var result = new List<DiffLine>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y] && kept[x, y] == kept[x + 1, y + 1] + Weight(a[x]))
            {
                result.Add(new DiffLine(DiffKind.Same, a[x++]));
                y++;
            }
            else if (x < a.Length && (y == b.Length || kept[x + 1, y] >= kept[x, y + 1]))
            {
                // On a tie the old line goes first, as in every diff tool: "- weight: 1" then "+ weight: 0".
                result.Add(new DiffLine(DiffKind.Removed, a[x++]));
            }
            else
            {
                result.Add(new DiffLine(DiffKind.Added, b[y++]));
            }
        }

        return result;
    }

    private static int Weight(string line) => line.Trim().Length + 1;

    private static string[] SplitLines(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
}
