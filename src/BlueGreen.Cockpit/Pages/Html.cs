using System.Text;
using System.Text.Encodings.Web;

namespace BlueGreen.Cockpit.Pages;

/// <summary>
/// A tiny HTML writer. Every piece of data goes through <see cref="Text"/> (HTML-encoded); only the
/// literal markup of the templates is written raw, through <see cref="Raw"/>.
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder _sb = new(16 * 1024);

    public static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    public Html Raw(string markup)
    {
        _sb.Append(markup);
        return this;
    }

    public Html Text(string? value)
    {
        _sb.Append(E(value));
        return this;
    }

    /// <summary>&lt;tag class="..."&gt;encoded text&lt;/tag&gt;.</summary>
    public Html El(string tag, string? cssClass, string? text, string? title = null)
    {
        _sb.Append('<').Append(tag);
        if (cssClass is not null)
        {
            _sb.Append(" class=\"").Append(E(cssClass)).Append('"');
        }

        if (title is not null)
        {
            _sb.Append(" title=\"").Append(E(title)).Append('"');
        }

        _sb.Append('>').Append(E(text)).Append("</").Append(tag).Append('>');
        return this;
    }

    public Html Link(string href, string? text, string? cssClass = null)
    {
        _sb.Append("<a href=\"").Append(E(href)).Append('"');
        if (cssClass is not null)
        {
            _sb.Append(" class=\"").Append(E(cssClass)).Append('"');
        }

        _sb.Append('>').Append(E(text)).Append("</a>");
        return this;
    }

    public Html Pre(string? text, string cssClass = "code") => Raw($"<pre class=\"{cssClass}\">").Text(text).Raw("</pre>");

    public override string ToString() => _sb.ToString();
}
