using System.Text;

namespace BlueGreen.Core.Routing.Rules;

/// <summary>
/// The query parameters Traefik's Query and QueryRegexp see: Go's url.ParseQuery on the raw query after the
/// entry point's http.AllowQuerySemicolons (';' separates like '&amp;'). '+' is a space, %XX is decoded, a pair
/// with an invalid escape is dropped, a key without '=' has the value "", keys are case-sensitive.
/// </summary>
public static class QueryValues
{
    /// <param name="rawQuery">The query as sent, without the leading '?'.</param>
    public static Dictionary<string, List<string>> Parse(string rawQuery)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in rawQuery.Split('&', ';'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            var eq = pair.IndexOf('=');
            var key = Unescape(eq < 0 ? pair : pair[..eq]);
            var value = Unescape(eq < 0 ? "" : pair[(eq + 1)..]);
            if (key is null || value is null)
            {
                continue;
            }

            if (!result.TryGetValue(key, out var values))
            {
                result[key] = values = [];
            }

            values.Add(value);
        }

        return result;
    }

    // Go's url.QueryUnescape; null where Go returns an error.
    private static string? Unescape(string s)
    {
        if (!s.Contains('%') && !s.Contains('+'))
        {
            return s;
        }

        var input = Encoding.UTF8.GetBytes(s);
        var output = new List<byte>(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            switch (input[i])
            {
                case (byte)'+':
                    output.Add((byte)' ');
                    break;
                case (byte)'%':
                    if (i + 2 >= input.Length || !Uri.IsHexDigit((char)input[i + 1]) || !Uri.IsHexDigit((char)input[i + 2]))
                    {
                        return null;
                    }

                    output.Add(Convert.ToByte(Encoding.ASCII.GetString(input, i + 1, 2), 16));
                    i += 2;
                    break;
                default:
                    output.Add(input[i]);
                    break;
            }
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }
}
