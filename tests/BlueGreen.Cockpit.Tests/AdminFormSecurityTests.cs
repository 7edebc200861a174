using System.Net;
using System.Text.RegularExpressions;
using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests;

/// <summary>
/// Who may make the cockpit act: only a POST from its own pages (Origin), with the form token of
/// the very session that sends it. run.sh is a fake here that records each call and its environment.
/// </summary>
public sealed partial class AdminFormSecurityTests : IAsyncLifetime
{
    private readonly TempHome _home = AdminHome.Create();
    private CockpitUnderTest _cockpit = null!;

    private string FakeRunSh => _home.Path_("fake-run.sh");

    private string CallsFile => _home.Path_("run-sh-calls");

    private string EnvFile => _home.Path_("run-sh-env");

    private int Calls => File.Exists(CallsFile) ? File.ReadAllLines(CallsFile).Length : 0;

    public async Task InitializeAsync()
    {
        _home.AddSite("shop", new Uri("http://127.0.0.1:9/"), new Uri("http://127.0.0.1:9/"));
        File.WriteAllText(FakeRunSh, $"#!/bin/sh\necho \"$*\" >> '{CallsFile}'\nenv > '{EnvFile}'\necho fake run.sh ran\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(FakeRunSh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _cockpit = await CockpitUnderTest.StartAsync(_home.Root, o => o with { RunSh = FakeRunSh });
    }

    public async Task DisposeAsync()
    {
        await _cockpit.DisposeAsync();
        _home.Dispose();
    }

    [GeneratedRegex("<span class=\"who\">session (?<short>[0-9a-f]{8})</span>")]
    private static partial Regex SessionShort();

    [Fact]
    public async Task An_action_runs_run_sh_with_the_session_label_and_never_names_the_actor()
    {
        using var client = new AdminClient(_cockpit.Url);
        var token = await client.LogInAsync();
        var shortId = SessionShort().Match(await client.Http.GetStringAsync("/")).Groups["short"].Value;
        Assert.Matches("^[0-9a-f]{8}$", shortId);

        using var response = await client.PostAsync("/admin/sites/shop/validate", ("bluegreen_form_token", token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("fake run.sh ran", await response.Content.ReadAsStringAsync());

        var env = File.ReadAllLines(EnvFile).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("cockpit", env["BLUEGREEN_VIA"]);
        Assert.Equal($"session {shortId} from 127.0.0.1", env["BLUEGREEN_SESSION"]);
        Assert.False(env.ContainsKey("BLUEGREEN_ACTOR"), "the journal's actor is the OS user: the cockpit must not set BLUEGREEN_ACTOR");
        Assert.Equal(Path.GetFullPath(_home.Root), env["BLUEGREEN_HOME"]);
        Assert.Equal($"--home {Path.GetFullPath(_home.Root)} validate shop", File.ReadAllText(CallsFile).Trim());
    }

    [Fact]
    public async Task A_form_token_works_only_for_the_session_it_was_made_for()
    {
        using var alice = new AdminClient(_cockpit.Url);
        using var mallory = new AdminClient(_cockpit.Url);
        var aliceToken = await alice.LogInAsync();
        var malloryToken = await mallory.LogInAsync();
        Assert.NotEqual(aliceToken, malloryToken);

        using (var crossed = await mallory.PostAsync("/admin/sites/shop/validate", ("bluegreen_form_token", aliceToken)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, crossed.StatusCode);
        }

        using (var none = await mallory.PostAsync("/admin/sites/shop/validate"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        }

        using (var constant = await mallory.PostAsync("/admin/sites/shop/validate", ("bluegreen_form_token", new string('a', 43))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, constant.StatusCode);
        }

        using (var own = await mallory.PostAsync("/admin/sites/shop/validate", ("bluegreen_form_token", malloryToken)))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        Assert.Equal(1, Calls);
    }

    [Fact]
    public async Task The_login_forms_token_opens_no_action_and_a_logged_out_sessions_token_is_dead()
    {
        using var client = new AdminClient(_cockpit.Url);
        var loginToken = await client.LoginFormTokenAsync();
        using (var response = await client.Http.SendAsync(client.LoginRequest(loginToken, AdminHome.Token)))
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        using (var withLoginToken = await client.PostAsync("/admin/sites/shop/validate", ("bluegreen_form_token", loginToken)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, withLoginToken.StatusCode);
        }

        var token = AdminClient.TokenIn(await client.Http.GetStringAsync("/"));
        using (var logout = await client.PostAsync("/logout", ("bluegreen_form_token", token)))
        {
            Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        }

        using (var after = await client.PostAsync("/admin/sites/shop/validate", ("bluegreen_form_token", token)))
        {
            Assert.NotEqual(HttpStatusCode.OK, after.StatusCode); // no session: sent to the login page
        }

        Assert.Equal(0, Calls);
    }

    [Fact]
    public async Task A_login_without_the_login_forms_token_is_refused_before_the_token_is_checked()
    {
        using var client = new AdminClient(_cockpit.Url);
        using var response = await client.PostAsync("/login", ("token", AdminHome.Token));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(File.Exists(_home.JournalFile), "nothing was attempted, nothing journaled");
    }

    /// <summary>Origin, Referer, Host (null: the one the client sends), and whether the POST is accepted.</summary>
    private static (string? Origin, string? Referer, string? Host, bool Accepted)[] Origins(int port) =>
    [
        ($"http://127.0.0.1:{port}", null, null, true),
        (null, $"http://127.0.0.1:{port}/sites/shop", null, true),
        ($"http://evil.example", null, null, false),
        ($"http://127.0.0.1:{port + 1}", null, null, false),
        ($"https://127.0.0.1:{port}", null, null, false),
        ("null", $"http://127.0.0.1:{port}/", null, false),
        (null, "http://evil.example/page", null, false),
        (null, null, null, false),
        // DNS rebinding: a page of evil.example whose name now points at 127.0.0.1.
        ($"http://evil.example:{port}", null, $"evil.example:{port}", false),
        ($"http://localhost:{port}", null, $"localhost:{port}", true),
    ];

    [Fact]
    public async Task A_post_is_accepted_only_from_the_cockpits_own_origin()
    {
        using var client = new AdminClient(_cockpit.Url);
        var token = await client.LogInAsync();
        client.Http.DefaultRequestHeaders.Remove("Origin");
        var expectedCalls = 0;
        foreach (var (origin, referer, host, accepted) in Origins(_cockpit.Url.Port))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/sites/shop/validate")
            {
                Content = new FormUrlEncodedContent([new("bluegreen_form_token", token)]),
            };
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            if (referer is not null)
            {
                request.Headers.Referrer = new Uri(referer);
            }

            if (host is not null)
            {
                request.Headers.Host = host;
            }

            using var response = await client.Http.SendAsync(request);
            var what = $"Origin={origin ?? "-"} Referer={referer ?? "-"} Host={host ?? "-"}";
            Assert.True((accepted ? HttpStatusCode.OK : HttpStatusCode.Forbidden) == response.StatusCode, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            expectedCalls += accepted ? 1 : 0;
            Assert.Equal(expectedCalls, Calls);
        }
    }
}
