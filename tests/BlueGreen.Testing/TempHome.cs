using BlueGreen.Core.Configuration;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Routing;

namespace BlueGreen.Testing;

/// <summary>A throw-away installation home: conf/, var/, deleted at the end.</summary>
public sealed class TempHome : IDisposable
{
    public TempHome(string? globalConf = "ROUTER_API=\n")
    {
        Root = Path.Combine(Path.GetTempPath(), "bg-test-" + Guid.NewGuid().ToString("N")[..10]);
        Layout = new Home(Root);
        Directory.CreateDirectory(Layout.SitesDir);
        if (globalConf is not null)
        {
            File.WriteAllText(Layout.GlobalConf, globalConf);
        }
    }

    public string Root { get; }

    /// <summary>The product's own layout of this home: every path a test names goes through it.</summary>
    public Home Layout { get; }

    public string Path_(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The routing file of a site with the default ROUTES_DIR.</summary>
    public string RoutingFile(string site) => new RoutingFiles(Layout, new GlobalConfig()).PathOf(site);

    public string StateFile(string site) => Layout.StateFile(site);

    public string JournalFile => Layout.JournalFile;

    public void WriteGlobal(string text) => File.WriteAllText(Layout.GlobalConf, text);

    public void WriteSite(string site, string text) => File.WriteAllText(Layout.SiteConf(site), text);

    /// <summary>
    /// A site whose slots are the given URLs, with a Host rule. The health timeout is generous: the test slots
    /// answer at once, and on a loaded 2-core CI machine a 2 s timeout turned a slow answer into a refusal.
    /// Tests about a slot that does not answer set their own timeout.
    /// </summary>
    public void AddSite(string site, Uri slotA, Uri slotB, string extra = "") =>
        WriteSite(site, $"RULE=Host(`{site}.example.com`)\nSLOT_A_URL={slotA}\nSLOT_B_URL={slotB}\nHEALTH_PATH=/health\nHEALTH_TIMEOUT=10\n{extra}");

    /// <summary>
    /// Swaps the weights of a site's routing file by hand (slot a's 1 becomes 0, slot b's 0 becomes 1), as an
    /// operator editing the file would; returns the text before and after, which differ.
    /// </summary>
    public (string Before, string After) SwapWeightsByHand(string site)
    {
        var path = RoutingFile(site);
        var text = File.ReadAllText(path);
        var swapped = System.Text.RegularExpressions.Regex.Replace(text, $@"(name: {site}-a\s+weight: )1", "${1}0");
        swapped = System.Text.RegularExpressions.Regex.Replace(swapped, $@"(name: {site}-b\s+weight: )0", "${1}1");
        File.WriteAllText(path, swapped);
        return (text, swapped);
    }

    /// <summary>Every file under var/ with its bytes, to prove that nothing changed.</summary>
    public IReadOnlyDictionary<string, string> SnapshotVar(params string[] except)
    {
        var var = Path.Combine(Root, "var");
        if (!Directory.Exists(var))
        {
            return new Dictionary<string, string>();
        }

        return Directory.EnumerateFiles(var, "*", SearchOption.AllDirectories)
            .Where(f => !except.Any(e => f.StartsWith(Path.Combine(Root, e), StringComparison.Ordinal)))
            .ToDictionary(f => Path.GetRelativePath(Root, f), f => Convert.ToBase64String(File.ReadAllBytes(f)));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
