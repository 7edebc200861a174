using BlueGreen.Core.Configuration;

namespace BlueGreen.Cockpit.Pages;

/// <summary>The hidden field ASP.NET Core antiforgery checks on every admin form.</summary>
public sealed record FormToken(string FieldName, string Value);

/// <summary>Who is looking, in which mode: decides whether action controls are drawn.</summary>
internal sealed record PageContext(CockpitMode Mode, string Home, FormToken? Token, string? SessionShort)
{
    /// <summary>Action controls exist only in admin mode, for a logged-in session.</summary>
    public bool CanAct => Mode == CockpitMode.Admin && Token is not null;

    /// <summary>The token for a form shown without a session (the login form).</summary>
    public FormToken? LoginToken { get; init; }

    public string HiddenToken => (Token ?? LoginToken) is { } t ? $"<input type=\"hidden\" name=\"{Html.E(t.FieldName)}\" value=\"{Html.E(t.Value)}\">" : "";
}
