using BlueGreen.Core.Routing.Rules;
using BlueGreen.Core.Slots;

namespace BlueGreen.Core.Configuration;

/// <summary>
/// What no single site file can show: two sites that share a slot URL (validating one would test the
/// other's server, and a deploy to one would replace the other), or that claim the same rule on a common
/// entry point (the router cannot tell whose users a request belongs to), or whose names are one Traefik router or
/// service (`shop`'s slot service `shop-a` is site `shop-a`'s production service). Reported at the later site's
/// line, naming the earlier site's file and line; sites are taken in name order.
/// </summary>
public static class CrossSiteCheck
{
    public static IReadOnlyList<ConfigError> Check(IEnumerable<SiteConfig> sites)
    {
        var errors = new List<ConfigError>();
        var urls = new Dictionary<string, (SiteConfig Site, string Key)>(StringComparer.Ordinal);
        var rules = new List<(string Rule, SiteConfig Site, string Key)>();
        var earlier = new List<string>();
        foreach (var site in sites.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            if (Routing.RoutingKv.NameClashError(site.Name, earlier) is { } nameClash)
            {
                errors.Add(site.ErrorAt("", nameClash));
            }

            earlier.Add(site.Name);
            foreach (var (key, slot) in new[] { ("SLOT_A_URL", Slot.A), ("SLOT_B_URL", Slot.B) })
            {
                var url = UrlKey(site.UrlOf(slot));
                if (urls.TryGetValue(url, out var first) && first.Site.Name != site.Name)
                {
                    errors.Add(site.ErrorAt(key, $"{key} {site.UrlOf(slot)} is also {first.Key} of site '{first.Site.Name}' ({Where(first.Site, first.Key)}): two sites must not share a slot"));
                }
                else
                {
                    urls.TryAdd(url, (site, key));
                }
            }

            foreach (var (key, rule) in new[] { ("RULE", site.Rule), ("PREVIEW_RULE", site.PreviewRule) })
            {
                if (rule is null || Canonical(rule) is not { } canonical)
                {
                    continue;
                }

                var clash = rules.FirstOrDefault(r => r.Rule == canonical && r.Site.Name != site.Name && ShareEntryPoint(r.Site, site));
                if (clash.Site is not null)
                {
                    errors.Add(site.ErrorAt(key, $"{key} is the same rule as {clash.Key} of site '{clash.Site.Name}' ({Where(clash.Site, clash.Key)}): the router could not tell the two sites' requests apart"));
                }

                rules.Add((canonical, site, key));
            }
        }

        return errors;
    }

    /// <summary>Scheme, host and port case-insensitive, as the per-site SLOT_A_URL/SLOT_B_URL check compares them.</summary>
    private static string UrlKey(Uri url) => url.GetComponents(UriComponents.AbsoluteUri, UriFormat.SafeUnescaped).ToLowerInvariant();

    /// <summary>The parsed rule printed back: quoting and spacing do not make two rules different.</summary>
    private static string? Canonical(string rule) => RuleParser.Parse(rule).Rule?.ToString();

    /// <summary>A router without ENTRYPOINTS listens on every entry point (Traefik's default).</summary>
    private static bool ShareEntryPoint(SiteConfig a, SiteConfig b) =>
        a.EntryPoints.Count == 0 || b.EntryPoints.Count == 0 || a.EntryPoints.Intersect(b.EntryPoints, StringComparer.Ordinal).Any();

    private static string Where(SiteConfig site, string key)
    {
        var at = site.ErrorAt(key, "");
        return at.Line > 0 ? $"{at.File}:{at.Line}" : at.File;
    }
}
