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

    /// <summary>Where `journal verify` last found the chain intact, so the next one starts there.</summary>
    public string JournalCheckpointFile => Path.Combine(StateDir, "journal-verified.json");

    /// <summary>Where an unexpected error's details go; the operator sees one line naming this file.</summary>
    public string ErrorLog => Path.Combine(LogDir, "errors.log");

    /// <summary>One line per notification that could not be delivered (docs/notifications.md).</summary>
    public string NotifyLog => Path.Combine(LogDir, "notify.log");

    public string LocksDir => Path.Combine(Root, "var", "locks");

    public string LogDir => Path.Combine(Root, "var", "log");

    public string ValidationDir => Path.Combine(LogDir, "validation");

    /// <summary>One validation's report: the site, the deployment it judged and when it started.</summary>
    public string ValidationReport(string site, string deploymentId, DateTimeOffset startedAt) =>
        Path.Combine(ValidationDir, $"{site}-{InFileName(deploymentId)}-{startedAt.UtcDateTime:yyyyMMdd'T'HHmmss.fff'Z'}.json");

    /// <summary>DEPLOY_CMD's full output for one deployment.</summary>
    public string DeployLog(string site, string deploymentId) => Path.Combine(LogDir, "deploy", $"{site}-{InFileName(deploymentId)}.log");

    /// <summary>TEST_CMD's full output for one deployment.</summary>
    public string TestLog(string site, string deploymentId) => Path.Combine(LogDir, "tests", $"{site}-{InFileName(deploymentId)}.log");

    /// <summary>
    /// A deployment id as part of a file name. Ids are the product's own (letters, digits, '-'), so their names do not
    /// change; but one read back from a hand-edited state file must never steer a path out of its folder.
    /// </summary>
    private static string InFileName(string deploymentId) =>
        new(deploymentId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());

    /// <summary>One run of PRE_SWITCH_CMD or POST_SWITCH_CMD (<paramref name="hook"/> is "pre" or "post").</summary>
    public string HookLog(string site, string stamp, string hook) => Path.Combine(LogDir, "hooks", $"{site}-{stamp}-{hook}-switch.log");

    public string RoutesDir(GlobalConfig config) => Path.GetFullPath(config.RoutesDir, Root);

    public string Resolve(string path) => Path.GetFullPath(path, Root);
}
