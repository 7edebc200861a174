using BlueGreen.Core.Configuration;

namespace BlueGreen.Core.Tests.Configuration;

/// <summary>What only shows across site files: a shared slot URL or rule, reported at the later site's line naming the earlier one.</summary>
public sealed class CrossSiteCheckTests
{
    private static SiteConfig Site(string name, string text)
    {
        var (config, errors) = SiteConfig.Parse($"/h/conf/sites/{name}.conf", name, text);
        Assert.Empty(errors);
        return config!;
    }

    private static string Conf(string rule, int a, int b, string extra = "") =>
        $"RULE={rule}\nSLOT_A_URL=http://127.0.0.1:{a}\nSLOT_B_URL=http://127.0.0.1:{b}\n{extra}";

    [Fact]
    public void Distinct_sites_have_nothing_to_report()
    {
        Assert.Empty(CrossSiteCheck.Check([Site("blog", Conf("Host(`blog`)", 1, 2)), Site("shop", Conf("Host(`shop`)", 3, 4))]));
    }

    [Fact]
    public void A_slot_url_shared_by_two_sites_is_an_error_at_the_later_sites_line()
    {
        var errors = CrossSiteCheck.Check([Site("shop", Conf("Host(`shop`)", 3, 1)), Site("blog", "RULE=Host(`blog`)\nSLOT_A_URL=http://127.0.0.1:1/\nSLOT_B_URL=http://127.0.0.1:2\n")]);

        var error = Assert.Single(errors);
        Assert.Equal("/h/conf/sites/shop.conf:3: SLOT_B_URL http://127.0.0.1:1/ is also SLOT_A_URL of site 'blog' (/h/conf/sites/blog.conf:2): two sites must not share a slot", error.ToString());
    }

    [Fact]
    public void The_same_rule_written_differently_is_the_same_rule()
    {
        var errors = CrossSiteCheck.Check([Site("blog", Conf("Host(`x.example.com`)", 1, 2)), Site("shop", Conf("Host( \"x.example.com\" )", 3, 4))]);

        Assert.Equal("/h/conf/sites/shop.conf:1: RULE is the same rule as RULE of site 'blog' (/h/conf/sites/blog.conf:1): the router could not tell the two sites' requests apart", Assert.Single(errors).ToString());
    }

    [Fact]
    public void A_preview_rule_that_is_another_sites_rule_clashes_too()
    {
        var errors = CrossSiteCheck.Check([Site("blog", Conf("Host(`x`)", 1, 2)), Site("shop", Conf("Host(`shop`)", 3, 4, "PREVIEW_RULE=Host(`x`)\n"))]);

        Assert.Contains("shop.conf:4: PREVIEW_RULE is the same rule as RULE of site 'blog'", Assert.Single(errors).ToString());
    }

    [Fact]
    public void The_same_rule_on_disjoint_entry_points_is_no_clash_but_one_without_entry_points_clashes_with_the_first()
    {
        var web = Site("blog", Conf("Host(`x`)", 1, 2, "ENTRYPOINTS=web\n"));
        var websecure = Site("shop", Conf("Host(`x`)", 3, 4, "ENTRYPOINTS=websecure\n"));
        var everywhere = Site("wiki", Conf("Host(`x`)", 5, 6));

        Assert.Empty(CrossSiteCheck.Check([web, websecure]));
        Assert.Contains("wiki.conf:1: RULE is the same rule as RULE of site 'blog'", Assert.Single(CrossSiteCheck.Check([web, websecure, everywhere])).ToString());
    }

    [Fact]
    public void A_site_named_after_another_sites_slot_service_is_an_error_naming_both()
    {
        var errors = CrossSiteCheck.Check([Site("shop", Conf("Host(`shop`)", 1, 2)), Site("shop-a", Conf("Host(`a`)", 3, 4)), Site("shop-ab", Conf("Host(`ab`)", 5, 6))]);

        Assert.Equal(
            "/h/conf/sites/shop-a.conf: sites 'shop-a' and 'shop' both name the Traefik service 'shop-a' (a site owns SITE, SITE-preview, SITE-preview-header, SITE-a, SITE-b): a switch of one would rewrite the other's routing; rename one of them",
            Assert.Single(errors).ToString());
    }
}
