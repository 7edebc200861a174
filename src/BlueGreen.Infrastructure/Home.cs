using BlueGreen.Core.Configuration;

namespace BlueGreen.Infrastructure;

/// <summary>The installation layout under BLUEGREEN_HOME (docs/reference.md, "Installation layout"): one place for every path.</summary>
public sealed record Home(string Root)
{
    public static Home At(string root) => new(Path.GetFullPath(root));

    public string GlobalConf => Path.Combine(Root, "conf", "global.conf");

    public string SitesDir => Path.Combine(Root, "conf", "sites");

    public string SiteConf(string site) => Path.Combine(SitesDir, site + ".conf");

    public string StateDir => Path.Combine(Root, "var", "state");

    public string StateFile(string site) => Path.Combine(StateDir, site + ".json");

    public string RoutingHistoryDir(string site) => Path.Combine(StateDir, "routing-history", site);

    public string JournalFile => Path.Combine(Root, "var", "journal", "journal.jsonl");

    /// <summary>The journal's anchor (last seq, hash, length): outside the journal's folder on purpose.</summary>
    public string JournalHeadFile => Path.Combine(StateDir, "journal-head.json");

    /// <summary>Where an unexpected error's details go; the operator sees one line naming this file.</summary>
    public string ErrorLog => Path.Combine(LogDir, "errors.log");

    /// <summary>One line per notification that could not be delivered (docs/notifications.md).</summary>
    public string NotifyLog => Path.Combine(LogDir, "notify.log");

    public string LocksDir => Path.Combine(Root, "var", "locks");

    public string LogDir => Path.Combine(Root, "var", "log");

    public string ValidationDir => Path.Combine(LogDir, "validation");

    public string RoutesDir(GlobalConfig config) => Path.GetFullPath(config.RoutesDir, Root);

    public string Resolve(string path) => Path.GetFullPath(path, Root);
}
