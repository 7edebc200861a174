namespace BlueGreen.Core.Input;

/// <summary>
/// "did you mean X?" for a mistyped command, option, key or site: the one place that decides which known
/// word was meant. Distance is Damerau's (optimal string alignment: a swap of two neighbours costs 1, so
/// `stauts` is one edit from `status`), compared without case.
/// </summary>
public static class Suggestion
{
    /// <summary>The known word nearest to <paramref name="typed"/>, if it is near enough to be a typo; ties go to the first in ordinal order.</summary>
    public static string? Closest(string typed, IEnumerable<string> known)
    {
        if (typed.Length == 0)
        {
            return null;
        }

        var limit = MaxDistance(typed.Length);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var word in known.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (string.Equals(word, typed, StringComparison.Ordinal))
            {
                return null;
            }

            var distance = Distance(typed.ToUpperInvariant(), word.ToUpperInvariant());
            if (distance <= limit && distance < bestDistance)
            {
                (best, bestDistance) = (word, distance);
            }
        }

        return best;
    }

    /// <summary>" (did you mean X?)" to end an error line, or "" when nothing is near.</summary>
    public static string DidYouMean(string typed, IEnumerable<string> known) =>
        Closest(typed, known) is { } word ? $" (did you mean {word}?)" : "";

    /// <summary>How many edits still read as a typo: 1 for short words, up to 3 for long ones (a third of the length).</summary>
    public static int MaxDistance(int length) => Math.Clamp(length / 3, 1, 3);

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
