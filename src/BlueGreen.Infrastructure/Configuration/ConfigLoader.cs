using BlueGreen.Infrastructure.Files;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Input;

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
    /// <summary>
    /// Reads the global file with the process's environment laid over it: an environment variable named as a key
    /// wins over the file (docs/reference.md, "Precedence").
    /// </summary>
    public static (GlobalConfig Config, IReadOnlyList<ConfigError> Errors) LoadGlobal(Home home) => LoadGlobal(home, GlobalEnvironment());

    public static (GlobalConfig Config, IReadOnlyList<ConfigError> Errors) LoadGlobal(Home home, IReadOnlyDictionary<string, string> environment)
    {
        var (text, problem) = ReadConfFile(home, home.GlobalConf, ResolveDirectory);
        var (config, errors) = GlobalConfig.Parse(home.GlobalConf, text ?? "", environment);
        return problem is null ? (config, errors) : (config, [problem, .. errors]);
    }

    /// <summary>The environment variables named as global keys, as this process sees them.</summary>
    public static IReadOnlyDictionary<string, string> GlobalEnvironment()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in GlobalConfig.Keys)
        {
            if (Environment.GetEnvironmentVariable(key) is { } value)
            {
                values[key] = value;
            }
        }

        return values;
    }

    public static LoadedConfig LoadAll(Home home)
    {
        var (global, problems) = LoadGlobal(home);
        var all = new List<ConfigError>(problems);
        var sites = new SortedDictionary<string, SiteConfig>(StringComparer.Ordinal);
        var load = SiteLoader(home, global);
        foreach (var name in SiteNames(home))
        {
            var (site, errors) = load(name);
            all.AddRange(errors);
            if (site is not null)
            {
                sites[name] = site;
            }
        }

        return new LoadedConfig(global, sites, all);
    }

    /// <summary>
    /// `config check`: <see cref="LoadAll"/>, and what only shows across sites or outside the files: shared
    /// slot URLs and rules (<see cref="CrossSiteCheck"/>), the programs of the configured commands (<see cref="CommandCheck"/>).
    /// </summary>
    public static LoadedConfig CheckAll(Home home)
    {
        var loaded = LoadAll(home);
        var path = Environment.GetEnvironmentVariable("PATH");
        var more = CrossSiteCheck.Check(loaded.Sites.Values)
            .Concat(loaded.Sites.Values.SelectMany(site => CommandCheck.Check(site, home.Root, path)));
        return loaded with { Problems = [.. loaded.Problems, .. more] };
    }

    /// <summary>Names of every conf/sites/*.conf, valid or not (a bad name is reported by the parser).</summary>
    public static IReadOnlyList<string> SiteNames(Home home) =>
        Directory.Exists(home.SitesDir)
            ? Directory.EnumerateFiles(home.SitesDir, "*.conf").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The site names a command may act on: <see cref="SiteNames"/> without those that are not names (config check reports them).</summary>
    public static IReadOnlyList<string> ValidSiteNames(Home home) => SiteNames(home).Where(OperatorInput.IsSiteName).ToList();

    public static (SiteConfig? Site, IReadOnlyList<ConfigError> Errors) LoadSite(Home home, string name, GlobalConfig global) =>
        LoadSite(home, name, global, ResolveDirectory);

    /// <summary>
    /// Reads many site files at once (status, the cockpit's board): conf/ and conf/sites are resolved once for
    /// all of them instead of once per file (a walk of every folder on the way, per file, was most of a site's cost).
    /// </summary>
    public static Func<string, (SiteConfig? Site, IReadOnlyList<ConfigError> Errors)> SiteLoader(Home home, GlobalConfig global)
    {
        var resolved = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        return name => LoadSite(home, name, global, dir => resolved.GetOrAdd(dir, ResolveDirectory));
    }

    private static (SiteConfig? Site, IReadOnlyList<ConfigError> Errors) LoadSite(Home home, string name, GlobalConfig global, Func<string, string> resolveDirectory)
    {
        if (!OperatorInput.IsSiteName(name))
        {
            // A name is never a path: `status ../../etc/x` must not read outside conf/sites.
            var where = name.Contains('/') || OperatorInput.HasControl(name) ? home.SitesDir : home.SiteConf(name);
            return (null, [new ConfigError(where, 0, OperatorInput.NotASiteName(name))]);
        }

        var path = home.SiteConf(name);
        var (text, problem) = ReadConfFile(home, path, resolveDirectory);
        if (problem is not null)
        {
            return (null, [problem]);
        }

        if (text is null)
        {
            return (null, [new ConfigError(path, 0, $"no site named '{name}' (no such file){Suggestion.DidYouMean(name, ValidSiteNames(home))}")]);
        }

        return SiteConfig.Parse(path, name, text, global.Router);
    }

    /// <summary>
    /// Reads a configuration file, or says why not: null text when it does not exist. A file that resolves
    /// outside conf/ (a symlink to a secret, say) or is larger than <see cref="MaxConfBytes"/> is refused.
    /// </summary>
    private static (string? Text, ConfigError? Problem) ReadConfFile(Home home, string path, Func<string, string> resolveDirectory)
    {
        var info = new FileInfo(path);
        // One lstat answers both questions: a link shows as a reparse point (no readlink for a plain file).
        var isLink = info.Attributes != (FileAttributes)(-1) && info.Attributes.HasFlag(FileAttributes.ReparsePoint);
        if (!info.Exists && !isLink)
        {
            return (null, null);
        }

        var confDir = Path.GetFullPath(Path.Combine(home.Root, "conf")) + Path.DirectorySeparatorChar;
        var real = isLink ? info.ResolveLinkTarget(returnFinalTarget: true)?.FullName : info.FullName;
        if (real is null || (isLink && !File.Exists(real)))
        {
            return (null, new ConfigError(path, 0, "a symbolic link to nothing"));
        }

        var realConf = resolveDirectory(confDir);
        if (!resolveDirectory(Path.GetDirectoryName(real)!).StartsWith(realConf, StringComparison.Ordinal))
        {
            return (null, new ConfigError(path, 0, $"refused: it resolves to {real}, outside {confDir}"));
        }

        // Not a link: the size is the one the first look already read (one system call less per site).
        if ((isLink ? new FileInfo(real).Length : info.Length) > MaxConfBytes)
        {
            return (null, new ConfigError(path, 0, $"refused: larger than {MaxConfBytes / 1024} KiB"));
        }

        try
        {
            return (SmallFile.ReadAllText(real), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, new ConfigError(path, 0, $"cannot be read: {e.Message}"));
        }
    }

    public const long MaxConfBytes = 1024 * 1024;

    /// <summary>A folder's path with every symlink on the way resolved, ending in a separator.</summary>
    private static string ResolveDirectory(string dir)
    {
        var full = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
        var parts = full.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = Path.DirectorySeparatorChar.ToString();
        foreach (var part in parts)
        {
            current = Path.Combine(current, part);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                current = target.FullName;
            }
        }

        return current.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
    }
}
