using System.Net;
using System.Text.Json;
using BlueGreen.Cli.Logging;
using BlueGreen.Testing;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Cli.Tests;

/// <summary>How the router and the cockpit log: the settings (a pure function), then real processes through run.sh.</summary>
public sealed class ServiceLoggingTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData(null, null, false, LogLevel.Information, LogFormat.Text)]
    [InlineData("warning", null, false, LogLevel.Warning, LogFormat.Text)]
    [InlineData("TRACE", null, false, LogLevel.Trace, LogFormat.Text)]
    [InlineData(" Error ", null, false, LogLevel.Error, LogFormat.Text)]
    [InlineData(null, null, true, LogLevel.Debug, LogFormat.Text)]
    [InlineData("Warning", null, true, LogLevel.Debug, LogFormat.Text)] // --verbose lowers the level...
    [InlineData("Trace", null, true, LogLevel.Trace, LogFormat.Text)] // ...never raises it
    [InlineData(null, "JSON", false, LogLevel.Information, LogFormat.Json)]
    [InlineData(null, "text", false, LogLevel.Information, LogFormat.Text)]
    public void Resolves_the_level_and_the_format_from_the_environment_and_verbose(string? level, string? format, bool verbose, LogLevel expectedLevel, LogFormat expectedFormat)
    {
        var env = new Dictionary<string, string?> { [ServiceLogging.LevelVariable] = level, [ServiceLogging.FormatVariable] = format };
        var (settings, error) = ServiceLogging.Resolve(null, verbose, k => env.GetValueOrDefault(k));
        Assert.Null(error);
        Assert.Equal(new ServiceLogging(expectedLevel, expectedFormat), settings);
    }

    [Fact]
    public void The_option_wins_over_the_environment_for_the_format()
    {
        var (settings, _) = ServiceLogging.Resolve("json", false, k => k == ServiceLogging.FormatVariable ? "text" : null);
        Assert.Equal(LogFormat.Json, settings!.Format);
    }

    [Theory]
    [InlineData(null, "loud", null, "BLUEGREEN_LOG_LEVEL: 'loud' is not a log level")]
    [InlineData(null, "Critical", null, "BLUEGREEN_LOG_LEVEL: 'Critical' is not a log level")]
    [InlineData(null, null, "xml", "BLUEGREEN_LOG_FORMAT: 'xml' is not a log format (text or json)")]
    [InlineData("yaml", null, "json", "--log-format: 'yaml' is not a log format (text or json)")]
    public void A_bad_value_is_an_error_naming_where_it_came_from(string? option, string? level, string? format, string expected)
    {
        var env = new Dictionary<string, string?> { [ServiceLogging.LevelVariable] = level, [ServiceLogging.FormatVariable] = format };
        var (settings, error) = ServiceLogging.Resolve(option, false, k => env.GetValueOrDefault(k));
        Assert.Null(settings);
        Assert.StartsWith(expected, error);
    }

    [Theory]
    [InlineData(LogLevel.Information, LogLevel.Warning, LogLevel.Error)]
    [InlineData(LogLevel.Debug, LogLevel.Warning, LogLevel.Error)]
    [InlineData(LogLevel.Error, LogLevel.Error, LogLevel.Error)]
    public void Framework_categories_log_from_Warning_and_YARP_from_Error_unless_the_level_is_higher(LogLevel level, LogLevel framework, LogLevel forwarder)
    {
        var settings = new ServiceLogging(level, LogFormat.Text);
        Assert.Equal(framework, settings.FrameworkLevel);
        Assert.Equal(forwarder, settings.ForwarderLevel);
    }

    [Theory]
    [InlineData("router")]
    [InlineData("cockpit")]
    public async Task A_bad_BLUEGREEN_LOG_LEVEL_is_one_line_and_exit_2(string command)
    {
        using var home = new TempHome();
        var result = await CliRunner.RunAsync(home.Root, [command, "--listen", "127.0.0.1:0"], new Dictionary<string, string> { ["BLUEGREEN_LOG_LEVEL"] = "loud" });
        Assert.Equal(2, result.ExitCode);
        var lines = OwnLines(result.Stderr);
        Assert.Equal($"{command}: BLUEGREEN_LOG_LEVEL: 'loud' is not a log level (Trace, Debug, Information, Warning or Error)", Assert.Single(lines));
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task BLUEGREEN_LOG_LEVEL_Warning_hides_the_Information_lines_and_keeps_the_warnings()
    {
        using var home = new TempHome();
        // The same router in two files: Traefik's "already configured" warning at every start.
        Directory.CreateDirectory(home.Path_("var", "routes"));
        File.WriteAllText(home.Path_("var", "routes", "a.yml"), RoutesYaml("web", "http://127.0.0.1:9"));
        File.WriteAllText(home.Path_("var", "routes", "b.yml"), RoutesYaml("web", "http://127.0.0.1:9"));
        const string warning = "router: warning: HTTP router web@file already configured";

        // The default level prints the Information lines: the test below can tell them missing.
        var standard = await RunUntilStoppedAsync(home, new Dictionary<string, string>(), warning);
        Assert.Contains("router: listening on", standard);
        Assert.Contains("router: revision 1", standard);
        Assert.Contains("router: stopped", standard);

        var quiet = await RunUntilStoppedAsync(home, new Dictionary<string, string> { ["BLUEGREEN_LOG_LEVEL"] = "warning" }, warning);
        Assert.Contains(warning, quiet);
        Assert.DoesNotContain("router: listening on", quiet);
        Assert.DoesNotContain("router: revision", quiet);
        Assert.DoesNotContain("router: stopped", quiet);
    }

    [Fact]
    public async Task Verbose_adds_the_Debug_lines()
    {
        using var home = new TempHome();
        using var router = RunningCli.Start(home.Root, "router", "--listen", "127.0.0.1:0", "--verbose");
        await router.WaitForOutputAsync("router: listening on", Deadline);
        var url = System.Text.RegularExpressions.Regex.Match(router.Stdout, "router: listening on (\\S+),").Groups[1].Value;
        using (var client = new HttpClient { BaseAddress = new Uri(url) })
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/where"))
        {
            request.Headers.Host = "nobody.test";
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await router.WaitForOutputAsync("router: debug: GET nobody.test/where matches no router (404)", Deadline);
    }

    [Fact]
    public async Task Json_mode_writes_one_JSON_object_per_line_with_the_access_log_fields_of_a_proxied_request()
    {
        await using var slot = await SlotServer.StartAsync("a");
        using var home = new TempHome();
        Directory.CreateDirectory(home.Path_("var", "routes"));
        File.WriteAllText(home.Path_("var", "routes", "site.yml"), RoutesYaml("web", slot.Url.ToString()));

        using var router = RunningCli.Start(home.Root, "router", "--listen", "127.0.0.1:0", "--access-log", "--log-format", "json");
        await router.WaitForOutputAsync("router: listening on", Deadline);
        var listening = Lines(router.Stdout).Single(l => l.GetProperty("EventId").GetInt32() == 1);
        Assert.Equal("BlueGreen.Router.RunningRouter", listening.GetProperty("Category").GetString());
        var proxyUrl = new Uri(listening.GetProperty("State").GetProperty("ProxyUrl").GetString()!);

        using (var client = new HttpClient { BaseAddress = proxyUrl })
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/through?the=router"))
        {
            request.Headers.Host = "web.test";
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await router.WaitForOutputAsync("BlueGreen.Router.Proxy.AccessLog", Deadline);
        router.Signal("TERM");
        Assert.Equal(0, await router.WaitForExitAsync(Deadline));

        // Every line of stdout is a JSON object: nothing else is mixed in.
        var lines = Lines(router.Stdout);
        Assert.All(lines, l => Assert.True(l.TryGetProperty("Timestamp", out _) && l.TryGetProperty("LogLevel", out _) && l.TryGetProperty("Message", out _)));
        var access = lines.Single(l => l.GetProperty("Category").GetString() == "BlueGreen.Router.Proxy.AccessLog");
        Assert.Equal("Information", access.GetProperty("LogLevel").GetString());
        Assert.Matches("\"GET /through\\?the=router HTTP/1.1\" 200 \"web.test\" \"web@file\"", access.GetProperty("Message").GetString());
        var fields = access.GetProperty("State");
        Assert.Equal("GET", fields.GetProperty("RequestMethod").GetString());
        Assert.Equal("/through?the=router", fields.GetProperty("RequestPath").GetString());
        Assert.Equal("HTTP/1.1", fields.GetProperty("RequestProtocol").GetString());
        Assert.Equal("web.test", fields.GetProperty("RequestHost").GetString());
        Assert.Equal(200, fields.GetProperty("DownstreamStatus").GetInt32());
        Assert.Equal(200, fields.GetProperty("OriginStatus").GetInt32());
        Assert.Equal("web@file", fields.GetProperty("RouterName").GetString());
        Assert.StartsWith(slot.Url.ToString().TrimEnd('/'), fields.GetProperty("ServiceURL").GetString());
        Assert.Equal("127.0.0.1", fields.GetProperty("ClientHost").GetString());
        Assert.True(fields.GetProperty("Duration").GetInt64() > 0);
        Assert.Contains(lines, l => l.GetProperty("Message").GetString() == "router: stopped");
    }

    /// <summary>
    /// Starts the router, waits until it answers (a quiet router prints no "listening" line to wait on), stops
    /// it gracefully and returns its stdout, complete: the console logger writes its queue out before exit.
    /// </summary>
    private static async Task<string> RunUntilStoppedAsync(TempHome home, Dictionary<string, string> env, string waitFor)
    {
        var port = FreePort();
        using var router = RunningCli.Start(home.Root, env, "router", "--listen", $"127.0.0.1:{port}");
        await router.WaitForOutputAsync(waitFor, Deadline);
        using (var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") })
        {
            using var cts = new CancellationTokenSource(Deadline);
            while (true)
            {
                Assert.False(router.HasExited, $"the router exited:\n{router.Output}");
                try
                {
                    using var response = await client.GetAsync("/", cts.Token);
                    if (response.StatusCode == HttpStatusCode.NotFound && await response.Content.ReadAsStringAsync(cts.Token) == "404 page not found\n")
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(50, cts.Token); // not listening yet: poll again until the deadline
                }
            }
        }

        router.Signal("TERM");
        Assert.Equal(0, await router.WaitForExitAsync(Deadline));
        return router.Stdout;
    }

    /// <summary>A port free a moment ago; the router's 404 answer is checked, so another listener cannot pass for it.</summary>
    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string RoutesYaml(string name, string url) =>
        $"http:\n  routers:\n    {name}:\n      rule: \"Host(`{name}.test`)\"\n      service: {name}\n  services:\n    {name}:\n      loadBalancer:\n        servers:\n          - url: \"{url}\"\n";

    private static List<JsonElement> Lines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    /// <summary>stderr without run.sh's own build messages (the first test to run builds the program).</summary>
    private static List<string> OwnLines(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("run.sh: ", StringComparison.Ordinal)).ToList();
}
