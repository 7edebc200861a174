using System.Text;

namespace BlueGreen.Cockpit.Admin;

/// <summary>Text from a request, made fit for a journal line, a log line or an error message.</summary>
internal static class SafeText
{
    /// <summary>Control characters (newlines included) become '?', and the text is cut at max characters.</summary>
    public static string Clean(string? text, int max)
    {
        var clean = new StringBuilder();
        foreach (var c in (text ?? "").Take(max))
        {
            clean.Append(char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' ? '?' : c);
        }

        return (text?.Length ?? 0) > max ? clean.Append('…').ToString() : clean.ToString();
    }
}
