using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing.Rules;
using BlueGreen.Core.Slots;

namespace BlueGreen.Core.Routing;

/// <summary>
/// Decides the routing file of a site from its configuration and roles (docs/reference.md, "Routing file").
/// Pure: the same inputs always give the same file.
/// </summary>
public static class RoutingPlanner
{
    public static string FileName(string site) => $"bluegreen-{site}.yml";

    public static string PreviewRouter(string site) => $"{site}-preview";

    public static string PreviewHeaderRouter(string site) => $"{site}-preview-header";

    /// <summary>The rule of the preview-header router: the production rule, and the header.</summary>
    public static string PreviewHeaderRule(string rule, PreviewHeader header) => $"({rule}) && Header(`{header.Name}`, `{header.Value}`)";

    /// <summary>
    /// The preview-header router's explicit priority: one above the production router's effective priority (Traefik's
    /// default, the rule's length in bytes), so that it wins over exactly the production router for the same request and
    /// stays below every other router that production already yields to (its own rule's longer length would not).
    /// </summary>
    public static int PreviewHeaderPriority(string rule) => RuleParser.DefaultPriority(rule) + 1;

    public static string SlotService(string site, Slot slot) => $"{site}-{slot.Name()}";

    /// <param name="live">The slot users reach, or null when the site was never switched (no production router).</param>
    /// <param name="candidate">The slot the preview router reaches.</param>
    /// <param name="candidateWeight">During a stepwise apply, the candidate's share in percent (1–99); null: the live slot has all traffic.</param>
    public static DynamicConfig Build(SiteConfig site, Slot? live, Slot candidate, int? candidateWeight = null)
    {
        var routers = new Dictionary<string, RouterConfig>();
        var services = new Dictionary<string, ServiceConfig>();
        var entryPoints = site.EntryPoints.Count > 0 ? site.EntryPoints.ToList() : null;
        if (live is { } liveSlot)
        {
            routers[site.Name] = new RouterConfig { Rule = site.Rule, Service = site.Name, EntryPoints = entryPoints };
            var weights = SlotWeights.Of(liveSlot, candidate == liveSlot ? null : candidateWeight);
            services[site.Name] = new ServiceConfig
            {
                Weighted = new WeightedConfig
                {
                    Services =
                    [
                        new WeightedServiceConfig { Name = SlotService(site.Name, Slot.A), Weight = weights.A },
                        new WeightedServiceConfig { Name = SlotService(site.Name, Slot.B), Weight = weights.B },
                    ],
                    // Only during a split: outside one the cookie would pin nobody (Traefik skips a weight-0 child) and
                    // would only add a Set-Cookie to every answer.
                    Sticky = weights.IsSplit && site.StickyCookie is { } cookie ? new StickyConfig { Cookie = new CookieConfig { Name = cookie } } : null,
                },
            };
        }

        if (site.PreviewRule is { Length: > 0 } previewRule)
        {
            routers[PreviewRouter(site.Name)] = new RouterConfig { Rule = previewRule, Service = SlotService(site.Name, candidate), EntryPoints = entryPoints };
        }

        if (site.PreviewHeader is { } header)
        {
            routers[PreviewHeaderRouter(site.Name)] = new RouterConfig
            {
                Rule = PreviewHeaderRule(site.Rule, header),
                Service = SlotService(site.Name, candidate),
                EntryPoints = entryPoints,
                Priority = PreviewHeaderPriority(site.Rule),
            };
        }

        foreach (var slot in new[] { Slot.A, Slot.B })
        {
            services[SlotService(site.Name, slot)] = new ServiceConfig
            {
                LoadBalancer = new LoadBalancerConfig { Servers = [new ServerConfig { Url = site.UrlOf(slot).ToString().TrimEnd('/') }], PassHostHeader = true },
            };
        }

        return new DynamicConfig { Http = new HttpConfig { Routers = routers.Count > 0 ? routers : null, Services = services } };
    }

    public static string Render(SiteConfig site, Slot? live, Slot candidate, string description, int? candidateWeight = null) =>
        RoutingFileFormat.Serialize(
            Build(site, live, candidate, candidateWeight),
            [$"BlueGreen Orchestrator routing for site {site.Name}: written by ./run.sh, do not edit by hand.", description]);

    /// <summary>The live slot a routing file sends all production traffic to, or null when it has no production route or splits it.</summary>
    public static Slot? LiveSlotIn(DynamicConfig config, string site) => WeightsIn(config, site)?.Only;

    /// <summary>The production weights of a routing file, or null when it has no production route (<see cref="WeightsOf"/>).</summary>
    public static SlotWeights? WeightsIn(DynamicConfig config, string site)
    {
        var weighted = config.Http?.Services?.GetValueOrDefault(site)?.Weighted;
        if (weighted is null || config.Http?.Routers?.ContainsKey(site) != true)
        {
            return null;
        }

        return WeightsOf(site, weighted.Services.Select(s => (s.Name, s.Weight)));
    }

    /// <summary>
    /// The weights a weighted service gives this site's slots, read from a routing file or from the router's API
    /// alike; null when a child with weight above 0 is not one of the site's slots, or when no child has one.
    /// </summary>
    public static SlotWeights? WeightsOf(string site, IEnumerable<(string Name, int Weight)> children)
    {
        var (a, b) = (0, 0);
        foreach (var (name, weight) in children.Where(c => c.Weight > 0))
        {
            if (name == SlotService(site, Slot.A))
            {
                a += weight;
            }
            else if (name == SlotService(site, Slot.B))
            {
                b += weight;
            }
            else
            {
                return null;
            }
        }

        return a == 0 && b == 0 ? null : new SlotWeights(a, b);
    }

    /// <summary>The slot of a weighted service's only child with weight above 0; null for none, a split, or a stranger.</summary>
    public static Slot? LiveSlotOf(string site, IEnumerable<(string Name, int Weight)> children) => WeightsOf(site, children)?.Only;
}
