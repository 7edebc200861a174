namespace BlueGreen.Cockpit.Admin;

/// <summary>
/// A conservative guess at how hard the admin token is to guess; all three checks must pass:
/// <list type="bullet">
/// <item>length × bits per character of its alphabet (hex 4, anything else 6, as base64) is at least
/// <see cref="RequiredBits"/>: 32 hex or 22 base64 characters at the least;</item>
/// <item>the Shannon entropy of its characters, and of the steps between neighbours ("abab…",
/// "0123…"), is at least 60 % of the most a string of that length and alphabet can show
/// (32 × "a" has 0 bits);</item>
/// <item>it does not repeat itself: at least 80 % of its 3-character pieces are different.</item>
/// </list>
/// Random tokens pass with a wide margin (a test draws thousands). Character statistics cannot tell
/// a long sentence from a random string: the error message gives the command that makes a good one.
/// </summary>
internal static class TokenStrength
{
    public const int RequiredBits = 128;

    public const string MakeOne = "head -c 32 /dev/urandom | base64";

    private const double DiversityShare = 0.6;

    private const double DistinctPiecesShare = 0.8;

    /// <summary>Null when the token is good enough; otherwise why not, in words.</summary>
    public static string? Weakness(string token)
    {
        var symbols = token.TrimEnd('=');
        var bitsPerChar = symbols.Length > 0 && symbols.All(Uri.IsHexDigit) ? 4 : 6;
        var nominal = symbols.Length * bitsPerChar;
        if (nominal < RequiredBits)
        {
            return $"it is too short: {symbols.Length} characters give at most {nominal} bits, and at least {RequiredBits} are needed";
        }

        var most = Math.Min(bitsPerChar, Math.Log2(symbols.Length - 1));
        var spread = Math.Min(Shannon(symbols.Select(c => (int)c)), Shannon(symbols.Zip(symbols.Skip(1), (a, b) => b - a)));
        if (spread < DiversityShare * most)
        {
            return $"it is too predictable: it carries about {spread * symbols.Length:0} bits (few different characters, or a pattern), and at least {RequiredBits} are needed";
        }

        var pieces = Enumerable.Range(0, symbols.Length - 2).Select(i => symbols.Substring(i, 3)).ToList();
        if (pieces.Distinct(StringComparer.Ordinal).Count() < DistinctPiecesShare * pieces.Count)
        {
            return "it is too predictable: it repeats itself";
        }

        return null;
    }

    /// <summary>Bits per item of the items' empirical distribution.</summary>
    public static double Shannon(IEnumerable<int> items)
    {
        var counts = items.CountBy(i => i).Select(c => c.Value).ToList();
        double total = counts.Sum();
        return total == 0 ? 0 : -counts.Sum(c => c / total * Math.Log2(c / total));
    }
}
