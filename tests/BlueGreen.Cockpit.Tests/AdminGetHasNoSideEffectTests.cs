using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests;

/// <summary>
/// GET never acts: no admin page runs run.sh, takes a lock or writes the journal. The plan page works
/// the switch out from the files, and says what `run.sh apply --dry-run` says.
/// </summary>
public sealed partial class AdminGetHasNoSideEffectTests : IAsyncLifetime
{
    private readonly TempHome _home = AdminHome.Create();
    private readonly List<SlotServer> _slots = [];
    private CockpitUnderTest _cockpit = null!;

    public async Task InitializeAsync()
    {
        await Cli.AddSitesAsync(_home, _slots, "shop", "blog");
        // shop: two switches, so a rollback would go through (and an apply would not: slot a's 1.0.0 is not the validated one).
        foreach (var version in new[] { "1.0.0", "1.1.0" })
        {
            await Cli.MustAsync(_home.Root, "deploy", "shop", "--version", version);
            await Cli.MustAsync(_home.Root, "validate", "shop");
            await Cli.MustAsync(_home.Root, "apply", "shop", "--yes");
        }

        // blog: validated, never switched: its first apply would go through.
        await Cli.MustAsync(_home.Root, "deploy", "blog", "--version", "0.3.0");
        await Cli.MustAsync(_home.Root, "validate", "blog");
        _cockpit = await CockpitUnderTest.StartAsync(_home.Root);
    }

    public async Task DisposeAsync()
    {
        await _cockpit.DisposeAsync();
        foreach (var slot in _slots)
        {
            await slot.DisposeAsync();
        }

        _home.Dispose();
    }

    /// <summary>Every file under var/ with its bytes, and every folder (a lock may be a folder or an empty file).</summary>
    private (IReadOnlyDictionary<string, string> Files, IReadOnlyList<string> Folders) Snapshot() =>
        (_home.SnapshotVar(), Directory.EnumerateDirectories(_home.Path_("var"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList());

    [Fact]
    public async Task No_GET_of_any_admin_url_runs_anything_takes_a_lock_or_writes_the_journal()
    {
        using var client = new AdminClient(_cockpit.Url);
        await client.LogInAsync(); // the login is journaled: that POST is before the snapshot
        var before = Snapshot();
        Assert.Contains(before.Files.Keys, k => k.StartsWith(Path.Combine("var", "journal"), StringComparison.Ordinal));

        string[] urls =
        [
            "/", "/login", "/sites/shop", "/sites/blog", "/journal", "/journal?site=shop&action=apply",
            "/api/sites", "/api/sites/shop", "/api/journal",
            "/admin/sites/shop/apply", "/admin/sites/shop/rollback", "/admin/sites/blog/apply", "/admin/sites/blog/rollback",
            "/admin/sites/shop/validate", "/admin/sites/nosuch/apply", "/admin/sites/shop/deploy", "/logout", "/static/cockpit.css",
        ];
        foreach (var url in urls)
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
            {
                using var response = await client.Http.SendAsync(new HttpRequestMessage(method, url));
                Assert.True((int)response.StatusCode < 500, $"{method} {url}: {(int)response.StatusCode}");
            }
        }

        var after = Snapshot();
        Assert.Equal(before.Folders, after.Folders);
        Assert.Equal(before.Files.Keys.Order(), after.Files.Keys.Order());
        foreach (var (file, bytes) in before.Files)
        {
            Assert.True(bytes == after.Files[file], $"{file} changed on a GET");
        }

        Assert.DoesNotContain(" runs ", _cockpit.Log.ToString()); // no run.sh child at all
    }

    [GeneratedRegex("<pre class=\"code full diff\">(?<diff>.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex DiffBlock();

    [GeneratedRegex("<span class=\"(?<kind>add|del|same)\">(?<line>[^<]*)</span>")]
    private static partial Regex DiffSpan();

    [GeneratedRegex("<dd id=\"plan-to\">(?<to>[^<]*)</dd>")]
    private static partial Regex PlanTo();

    [Theory]
    [InlineData("blog", "apply")]
    [InlineData("shop", "rollback")]
    public async Task The_plan_page_says_what_the_dry_run_of_run_sh_says(string site, string action)
    {
        using var client = new AdminClient(_cockpit.Url);
        await client.LogInAsync();
        var page = await client.Http.GetStringAsync($"/admin/sites/{site}/{action}");
        Assert.Contains("id=\"confirm\"", page);

        var dryRun = await Cli.MustAsync(_home.Root, action, site, "--dry-run", "--json");
        using var json = JsonDocument.Parse(dryRun.Stdout);
        var result = json.RootElement.GetProperty("result");
        var to = result.GetProperty("to");
        Assert.Equal($"slot {to.GetProperty("slot").GetString()} ({to.GetProperty("version").GetString()})", WebUtility.HtmlDecode(PlanTo().Match(page).Groups["to"].Value));

        // The same plan id (one function computes it for both), carried by the confirmation form.
        var plan = result.GetProperty("plan").GetString()!;
        Assert.Matches(@"^\d{8}T\d{6}-[0-9a-f]{6}@[0-9a-f]{12}$", plan);
        Assert.Contains($"name=\"plan\" value=\"{plan}\"", page);

        // The same routing change, comments aside (run.sh's header comment names who ran it).
        var cliDiff = result.GetProperty("diff").EnumerateArray().Select(d => d.GetString()!)
            .Where(line => !line[2..].TrimStart().StartsWith('#')).ToList();
        var diffHtml = DiffBlock().Match(page).Groups["diff"].Value;
        var pageDiff = WebUtility.HtmlDecode(Regex.Replace(diffHtml, "<[^>]+>", "")).Split('\n').ToList();
        Assert.Equal(cliDiff, pageDiff);
        Assert.Contains(pageDiff, l => l.StartsWith("+ ", StringComparison.Ordinal));
        // Coloured by kind: each line in a span whose class says whether it is added, removed or the same.
        var spans = DiffSpan().Matches(diffHtml).Select(m => (Kind: m.Groups["kind"].Value, Line: WebUtility.HtmlDecode(m.Groups["line"].Value).TrimEnd('\n'))).ToList();
        Assert.Equal(pageDiff, spans.Select(s => s.Line));
        Assert.All(spans, s => Assert.Equal(s.Line[..2] switch { "+ " => "add", "- " => "del", _ => "same" }, s.Kind));
    }

    [Fact]
    public async Task A_switch_the_rules_refuse_shows_why_and_offers_no_confirmation()
    {
        using var client = new AdminClient(_cockpit.Url);
        await client.LogInAsync();
        var page = WebUtility.HtmlDecode(await client.Http.GetStringAsync("/admin/sites/shop/apply"));
        Assert.Contains("would not go through", page);
        Assert.Contains("candidate 1.0.0 on slot a is not validated", page);
        Assert.Contains("./run.sh validate shop", page);
        Assert.DoesNotContain("id=\"confirm\"", page);

        var dryRun = await Cli.RunAsync(_home.Root, "apply", "shop", "--dry-run");
        Assert.Equal(3, dryRun.ExitCode); // the CLI refuses it too
    }
}
