using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// Builds the release ZIP once (`./run.sh release`, NativeAOT: minutes), unzips it into a temporary folder
/// and gives the tests a PATH of links to the system tools only: no dotnet anywhere on it.
/// </summary>
public sealed class ReleaseFixture : IDisposable
{
    // What run.sh, the sample app's deploy script and the plain-process recipe call.
    private static readonly string[] Tools =
        ["sh", "bash", "env", "curl", "flock", "cat", "mkdir", "rm", "mv", "cp", "ln", "sleep", "kill", "ps", "setsid",
         "nohup", "dirname", "basename", "readlink", "date", "grep", "sed", "tr", "uname", "id", "hostname", "stat", "sort", "head", "tail"];

    public ReleaseFixture()
    {
        Temp = Directory.CreateTempSubdirectory("bluegreen-release-test-").FullName;
        var build = Process.Start(new ProcessStartInfo(RepoPaths.RunSh, "release") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = build.StandardOutput.ReadToEndAsync();
        var stderr = build.StandardError.ReadToEndAsync();
        if (!build.WaitForExit(TimeSpan.FromMinutes(30)))
        {
            build.Kill(entireProcessTree: true);
            throw new TimeoutException("./run.sh release did not finish within 30 minutes");
        }

        BuildOutput = stdout.Result + stderr.Result;
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"./run.sh release failed (exit {build.ExitCode}):\n{BuildOutput}");
        }

        Zip = stdout.Result.Trim().Split('\n')[^1];
        ZipFile.ExtractToDirectory(Zip, Path.Combine(Temp, "unzipped"));
        Folder = Directory.GetDirectories(Path.Combine(Temp, "unzipped")).Single();
        // ZipFile does not restore Unix permissions on every runtime: make the scripts and programs runnable as unzip would.
        foreach (var file in new[] { "run.sh", "bin/bluegreen", "bin/hello" })
        {
            File.SetUnixFileMode(Path.Combine(Folder, file), (UnixFileMode)0b111_101_101);
        }

        ToolsDir = Path.Combine(Temp, "tools");
        Directory.CreateDirectory(ToolsDir);
        foreach (var tool in Tools)
        {
            var found = new[] { "/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
            if (found is not null)
            {
                File.CreateSymbolicLink(Path.Combine(ToolsDir, tool), found);
            }
        }
    }

    public string Temp { get; }

    public string Zip { get; }

    public string Folder { get; }

    public string ToolsDir { get; }

    public string BuildOutput { get; }

    public string RunSh => Path.Combine(Folder, "run.sh");

    /// <summary>Runs the unzipped run.sh with the tools-only PATH.</summary>
    public async Task<CliResult> RunAsync(string? home, params string[] args)
    {
        using var process = Start(home, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"run.sh {string.Join(' ', args)} did not finish in time");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public Process Start(string? home, params string[] args)
    {
        var info = new ProcessStartInfo(RunSh) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = Folder };
        if (home is not null)
        {
            info.ArgumentList.Add("--home");
            info.ArgumentList.Add(home);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var key in new[] { "DRY_RUN", "BLUEGREEN_HOME", "DOTNET_ROOT", "BLUEGREEN_RUN_SH", "BLUEGREEN_SCRIPT_DIR" })
        {
            info.Environment.Remove(key);
        }

        info.Environment["PATH"] = ToolsDir;
        info.Environment["TERM"] = "dumb";
        var process = Process.Start(info)!;
        process.StandardInput.Close();
        return process;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Temp, recursive: true);
        }
        catch (IOException)
        {
            // A process that still writes its log: the temp folder is left for the system to clean.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ReleaseCollection : ICollectionFixture<ReleaseFixture>
{
    public const string Name = "release";
}

/// <summary>The release ZIP works on a host without .NET: the native program, the demo, a switch cycle, the cockpit.</summary>
[Collection(ReleaseCollection.Name)]
public sealed class ReleaseTests(ReleaseFixture release)
{
    [Fact]
    public async Task The_zip_holds_one_folder_with_the_native_program_and_its_checksum_matches()
    {
        var name = Path.GetFileName(release.Folder);
        Assert.Matches(@"^bluegreen-orchestrator-[^/]+$", name);
        Assert.Equal($"{name}-linux-x64.zip", Path.GetFileName(release.Zip));
        using (var zip = ZipFile.OpenRead(release.Zip))
        {
            Assert.All(zip.Entries, e => Assert.StartsWith(name + "/", e.FullName));
            Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith(".dbg", StringComparison.Ordinal) || e.FullName.EndsWith(".dll", StringComparison.Ordinal));
        }

        foreach (var file in new[] { "run.sh", "bin/bluegreen", "bin/hello", "conf.example/global.conf", "conf.example/sites/shop.conf", "docs/install.md",
                     "deploy/bluegreen-router.service", "deploy/bluegreen-cockpit.service", "deploy/traefik.yml", "LICENSE", "VERSION" })
        {
            Assert.True(File.Exists(Path.Combine(release.Folder, file)), $"{file} is missing from the ZIP");
        }

        var sha = File.ReadAllText(release.Zip + ".sha256").Split(' ')[0];
        await using var stream = File.OpenRead(release.Zip);
        Assert.Equal(sha, Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream)));
        Assert.DoesNotContain("warning", release.BuildOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Version_prints_the_version_file_and_no_dotnet_is_on_the_path()
    {
        Assert.False(File.Exists(Path.Combine(release.ToolsDir, "dotnet")));
        var result = await release.RunAsync(null, "--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(File.ReadAllText(Path.Combine(release.Folder, "VERSION")).Trim(), result.Stdout.Trim());
        Assert.Equal(Path.GetFileName(release.Folder), $"bluegreen-orchestrator-{result.Stdout.Trim()}");
    }

    [Fact]
    public async Task The_native_program_does_not_need_the_dotnet_host()
    {
        var ldd = Process.Start(new ProcessStartInfo("ldd", Path.Combine(release.Folder, "bin", "bluegreen")) { RedirectStandardOutput = true })!;
        var output = await ldd.StandardOutput.ReadToEndAsync();
        await ldd.WaitForExitAsync();

        Assert.Contains("libc.so", output);
        Assert.DoesNotContain("hostfxr", output);
        Assert.DoesNotContain("libcoreclr", output);
    }

    [Fact]
    public async Task The_demo_passes_with_no_failed_request()
    {
        var result = await release.RunAsync(null, "demo");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"demo passed in [\d.]+ s: [\d,]+ requests, 0 failed", result.All);
    }

    [Fact]
    public async Task Config_check_accepts_the_example_configuration()
    {
        using var home = new TempHome(globalConf: null);
        CopyDirectory(Path.Combine(release.Folder, "conf.example"), home.Path_("conf"));

        var result = await release.RunAsync(home.Root, "config", "check");

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task A_deploy_validate_apply_rollback_cycle_switches_through_the_native_router()
    {
        using var home = new TempHome();
        int listen = FreePort(), api = FreePort(), slotA = FreePort(), slotB = FreePort();
        home.WriteGlobal($"ROUTER_LISTEN=127.0.0.1:{listen}\nROUTER_API=http://127.0.0.1:{api}\n");
        home.WriteSite("hello",
            $"RULE=Host(`hello.localhost`)\nSLOT_A_URL=http://127.0.0.1:{slotA}\nSLOT_B_URL=http://127.0.0.1:{slotB}\n" +
            $"DEPLOY_CMD=sh {release.Folder}/samples/Hello/deploy.sh\nHEALTH_PATH=/health\n");
        using var router = release.Start(home.Root, "router");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Eventually(async () => (await http.GetAsync($"http://127.0.0.1:{api}/ping")).IsSuccessStatusCode);

            foreach (var (version, slot) in new[] { ("v1", "a"), ("v2", "b") })
            {
                await Ok(release.RunAsync(home.Root, "deploy", "hello", "--version", version));
                await Ok(release.RunAsync(home.Root, "validate", "hello"));
                await Ok(release.RunAsync(home.Root, "apply", "hello", "--yes"));
                Assert.Equal($"hello from version={version} slot={slot}\n", await Through(http, listen));
            }

            await Ok(release.RunAsync(home.Root, "rollback", "hello", "--yes"));
            Assert.Equal("hello from version=v1 slot=a\n", await Through(http, listen));

            var status = await Ok(release.RunAsync(home.Root, "status", "hello", "--json", "--no-health"));
            var site = JsonDocument.Parse(status.Stdout).RootElement.GetProperty("sites")[0];
            Assert.Equal("a", site.GetProperty("live").GetProperty("slot").GetString());
            await Ok(release.RunAsync(home.Root, "journal", "verify"));
        }
        finally
        {
            router.Kill(entireProcessTree: true);
            await router.WaitForExitAsync();
            StopSlots(home);
        }
    }

    [Fact]
    public async Task The_cockpit_answers_its_board()
    {
        using var home = new TempHome();
        var port = FreePort();
        home.WriteGlobal($"ROUTER_API=\nCOCKPIT_LISTEN=127.0.0.1:{port}\n");
        home.AddSite("shop", new Uri("http://127.0.0.1:1"), new Uri("http://127.0.0.1:2"));
        using var cockpit = release.Start(home.Root, "cockpit");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            string? board = null;
            await Eventually(async () =>
            {
                var answer = await http.GetAsync($"http://127.0.0.1:{port}/");
                board = answer.StatusCode == HttpStatusCode.OK ? await answer.Content.ReadAsStringAsync() : null;
                return board is not null;
            });
            Assert.Contains("shop", board);

            var sites = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/api/sites")).RootElement;
            Assert.Equal("shop", sites.GetProperty("sites")[0].GetProperty("status").GetProperty("site").GetString());
        }
        finally
        {
            cockpit.Kill(entireProcessTree: true);
            await cockpit.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task The_native_program_asks_for_huge_pages_for_the_data_its_runtime_writes_at_start_up()
    {
        // Native/hugepages.c advises the program's zero-filled data before main (docs/benchmarks.md, "Start-up").
        using var home = new TempHome();
        var port = FreePort();
        home.WriteGlobal($"ROUTER_API=\nCOCKPIT_LISTEN=127.0.0.1:{port}\n");
        using var cockpit = release.Start(home.Root, "cockpit");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Eventually(async () => (await http.GetAsync($"http://127.0.0.1:{port}/")).StatusCode == HttpStatusCode.OK);

            // run.sh execs the program (same pid). Nothing else in it asks for huge pages: the flag is ours. A kernel
            // built without transparent huge pages refuses the advice, and the program runs as before (checked above).
            var advised = File.ReadAllLines($"/proc/{cockpit.Id}/smaps").Count(l => l.StartsWith("VmFlags:", StringComparison.Ordinal) && l.Split(' ').Contains("hg"));
            Assert.Equal(Directory.Exists("/sys/kernel/mm/transparent_hugepage") ? 1 : 0, advised);
        }
        finally
        {
            cockpit.Kill(entireProcessTree: true);
            await cockpit.WaitForExitAsync();
        }
    }

    private static async Task<CliResult> Ok(Task<CliResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static async Task<string> Through(HttpClient http, int listen)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{listen}/");
        request.Headers.Host = "hello.localhost";
        using var answer = await http.SendAsync(request);
        return await answer.Content.ReadAsStringAsync();
    }

    /// <summary>Waits for a condition with a deadline; a server not listening yet is "not yet".</summary>
    private static Task Eventually(Func<Task<bool>> condition) => Poll.UntilAsync(async () =>
    {
        try
        {
            return await condition();
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }, "the sample app to answer", TimeSpan.FromSeconds(30));

    /// <summary>The sample app's slots, started by the plain-process recipe with pid files in the home.</summary>
    private static void StopSlots(TempHome home)
    {
        var run = home.Path_("var", "run");
        if (!Directory.Exists(run))
        {
            return;
        }

        foreach (var pidFile in Directory.GetFiles(run, "*.pid"))
        {
            try
            {
                using var process = Process.GetProcessById(int.Parse(File.ReadAllText(pidFile).Trim()));
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to), overwrite: true);
        }
    }
}
