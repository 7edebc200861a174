using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Configuration;

/// <summary>DRY_RUN is read from the process environment: tests that set it must not run beside others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}

[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ConfigLoaderTests : IDisposable
{
    private const string Site = "RULE=Host(`{0}.example.com`)\nSLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\n";

    private readonly TempHome _home = new(globalConf: null);
    private readonly string? _savedDryRun = Environment.GetEnvironmentVariable("DRY_RUN");

    public ConfigLoaderTests() => Environment.SetEnvironmentVariable("DRY_RUN", null);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("DRY_RUN", _savedDryRun);
        _home.Dispose();
    }

    private Home Home => Home.At(_home.Root);

    [Fact]
    public void Without_a_global_file_every_default_applies()
    {
        var (config, errors) = ConfigLoader.LoadGlobal(Home);

        Assert.Empty(errors);
        Assert.Equal(new Core.Configuration.GlobalConfig(), config);
    }

    [Fact]
    public void Every_site_file_is_loaded_in_name_order()
    {
        _home.WriteSite("web", string.Format(Site, "web"));
        _home.WriteSite("api", string.Format(Site, "api"));
        File.WriteAllText(_home.Path_("conf", "sites", "notes.txt"), "not a site");

        var loaded = ConfigLoader.LoadAll(Home);

        Assert.False(loaded.HasErrors);
        Assert.Equal(["api", "web"], loaded.Sites.Keys);
        Assert.Equal("Host(`web.example.com`)", loaded.Sites["web"].Rule);
        Assert.Equal(["api", "web"], ConfigLoader.SiteNames(Home));
    }

    [Fact]
    public void Errors_are_collected_across_every_file_each_with_its_file_and_line()
    {
        _home.WriteGlobal("ROUTER=nginx\n");
        _home.WriteSite("good", string.Format(Site, "good"));
        _home.WriteSite("bad1", string.Format(Site, "bad1") + "HEALTH_PATH=health\n");
        _home.WriteSite("bad2", "NOPE=1\n" + string.Format(Site, "bad2"));
        _home.WriteSite("Bad_Name", string.Format(Site, "x"));

        var loaded = ConfigLoader.LoadAll(Home);

        Assert.True(loaded.HasErrors);
        Assert.Equal(["good"], loaded.Sites.Keys);
        var errors = loaded.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith($"{Home.GlobalConf}:1: ROUTER", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{Home.SiteConf("bad1")}:4: HEALTH_PATH", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{Home.SiteConf("bad2")}:1: unknown key NOPE", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith($"{Home.SiteConf("Bad_Name")}: bad site name", StringComparison.Ordinal));
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void A_rule_that_only_Traefik_served_before_loads_without_any_problem_now_that_the_router_serves_it()
    {
        _home.WriteSite("rx", "RULE=HostRegexp(`.+`)\nSLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\n");

        var loaded = ConfigLoader.LoadAll(Home);

        Assert.False(loaded.HasErrors);
        Assert.Empty(loaded.Problems);
        Assert.Equal(["rx"], loaded.Sites.Keys);
    }

    [Fact]
    public void A_site_file_may_be_a_link_inside_conf_but_not_to_nothing_nor_outside_conf()
    {
        var global = new Core.Configuration.GlobalConfig();
        _home.WriteSite("real", string.Format(Site, "real"));
        File.CreateSymbolicLink(_home.Path_("conf", "sites", "alias.conf"), _home.Path_("conf", "sites", "real.conf"));
        File.CreateSymbolicLink(_home.Path_("conf", "sites", "dangling.conf"), _home.Path_("conf", "sites", "gone.conf"));
        var outside = _home.Path_("outside.txt");
        File.WriteAllText(outside, string.Format(Site, "outside"));
        File.CreateSymbolicLink(_home.Path_("conf", "sites", "leak.conf"), outside);

        Assert.Equal("Host(`real.example.com`)", ConfigLoader.LoadSite(Home, "alias", global).Site?.Rule);
        Assert.Contains("a symbolic link to nothing", Assert.Single(ConfigLoader.LoadSite(Home, "dangling", global).Errors).Message);
        Assert.Contains("outside", Assert.Single(ConfigLoader.LoadSite(Home, "leak", global).Errors).Message);
        Assert.Contains("no such file", Assert.Single(ConfigLoader.LoadSite(Home, "ghost", global).Errors).Message);
    }

    [Fact]
    public void A_site_that_has_no_file_is_an_error_naming_the_file()
    {
        var (site, errors) = ConfigLoader.LoadSite(Home, "ghost", new Core.Configuration.GlobalConfig());

        Assert.Null(site);
        Assert.Contains("no site named 'ghost'", Assert.Single(errors).ToString());
        Assert.Contains(Home.SiteConf("ghost"), errors[0].File);
    }

    [Fact]
    public void A_site_is_checked_against_the_router_of_the_global_file()
    {
        _home.WriteGlobal("ROUTER=traefik\n");
        _home.WriteSite("rx", "RULE=HostRegexp(`.+`)\nSLOT_A_URL=http://127.0.0.1:7001\nSLOT_B_URL=http://127.0.0.1:7002\n");

        Assert.Empty(ConfigLoader.LoadAll(Home).Problems);
    }

    [Fact]
    public void Dry_run_in_the_environment_overrides_the_global_file()
    {
        _home.WriteGlobal("DRY_RUN=0\n");
        Environment.SetEnvironmentVariable("DRY_RUN", "1");

        var (config, errors) = ConfigLoader.LoadGlobal(Home);

        Assert.Empty(errors);
        Assert.True(config.DryRun);
    }

    [Fact]
    public void Dry_run_zero_in_the_environment_wins_over_the_global_file()
    {
        // Precedence (docs/reference.md): option > environment > file > default, for every key.
        _home.WriteGlobal("DRY_RUN=1\n");
        Environment.SetEnvironmentVariable("DRY_RUN", "0");

        var (config, errors) = ConfigLoader.LoadGlobal(Home);

        Assert.Empty(errors);
        Assert.False(config.DryRun);
    }

    [Fact]
    public void A_bad_dry_run_in_the_environment_is_an_error()
    {
        Environment.SetEnvironmentVariable("DRY_RUN", "yes");

        var (config, errors) = ConfigLoader.LoadGlobal(Home);

        var error = Assert.Single(errors);
        Assert.Equal("environment", error.File);
        Assert.Contains("DRY_RUN: 'yes' is not one of 0, 1", error.Message);
        Assert.False(config.DryRun);
    }
}
