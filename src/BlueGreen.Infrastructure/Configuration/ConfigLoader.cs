using BlueGreen.Core.Configuration;

namespace BlueGreen.Infrastructure.Configuration;

/// <summary>Everything read from conf/: the global settings, the sites that parsed, and every problem found.</summary>
public sealed record LoadedConfig(GlobalConfig Global, IReadOnlyDictionary<string, SiteConfig> Sites, IReadOnlyList<ConfigError> Problems)
{
    public IEnumerable<ConfigError> Errors => Problems.Where(p => !p.IsWarning);

    public bool HasErrors => Problems.Any(p => !p.IsWarning);
}

/// <summary>Reads conf/global.conf and conf/sites/*.conf from a home.</summary>
public static class ConfigLoader
{
    /// <summary>Reads the global file, then environment overrides (DRY_RUN=1).</summary>
    public static (GlobalConfig Config, IReadOnlyList<ConfigError> Errors) LoadGlobal(Home home)
    {
        var (config, errors) = File.Exists(home.GlobalConf)
            ? GlobalConfig.Parse(home.GlobalConf, File.ReadAllText(home.GlobalConf))
            : (new GlobalConfig(), []);
        if (Environment.GetEnvironmentVariable("DRY_RUN") is { Length: > 0 } dryRun)
        {
            if (dryRun is "1")
            {
                config = config with { DryRun = true };
            }
            else if (dryRun is not "0")
            {
                errors = [.. errors, new ConfigError("environment", 0, $"DRY_RUN='{dryRun}' must be 0 or 1")];
            }
        }

        return (config, errors);
    }

    public static LoadedConfig LoadAll(Home home)
    {
        var (global, problems) = LoadGlobal(home);
        var all = new List<ConfigError>(problems);
        var sites = new SortedDictionary<string, SiteConfig>(StringComparer.Ordinal);
        foreach (var name in SiteNames(home))
        {
            var (site, errors) = LoadSite(home, name, global);
            all.AddRange(errors);
            if (site is not null)
            {
                sites[name] = site;
            }
        }

        return new LoadedConfig(global, sites, all);
    }

    /// <summary>Names of every conf/sites/*.conf, valid or not (a bad name is reported by the parser).</summary>
    public static IReadOnlyList<string> SiteNames(Home home) =>
        Directory.Exists(home.SitesDir)
            ? Directory.EnumerateFiles(home.SitesDir, "*.conf").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToList()
            : [];

    public static (SiteConfig? Site, IReadOnlyList<ConfigError> Errors) LoadSite(Home home, string name, GlobalConfig global)
    {
        var path = home.SiteConf(name);
        if (!File.Exists(path))
        {
            return (null, [new ConfigError(path, 0, $"no site named '{name}' (no such file)")]);
        }

        return SiteConfig.Parse(path, name, File.ReadAllText(path), global.Router);
    }
}
