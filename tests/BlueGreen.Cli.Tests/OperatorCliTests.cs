using System.Diagnostics;
using System.Text.Json;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// The command line as an operator meets it, through run.sh (issue 11, items 4 and 5): precedence of the
/// environment, exact hints, a missing home, "did you mean", help, version, completion, piped tables and JSON.
/// </summary>
public sealed class OperatorCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    /// <summary>A site whose slots are never reached by these tests (nothing listens on the discard port).</summary>
    private void AddShop() => _home.AddSite("shop", new Uri("http://127.0.0.1:9/"), new Uri("http://127.0.0.2:9/"));

    [Fact]
    public async Task A_home_that_does_not_exist_is_a_one_line_error_with_exit_2()
    {
        var missing = Path.Combine(Path.GetTempPath(), "bg-missing-" + Guid.NewGuid().ToString("N"));

        var result = await CliRunner.RunAsync(missing, "status");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: --home {missing}: no such folder", result.Stderr.Trim());
        Assert.Equal("", result.Stdout);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task BLUEGREEN_HOME_that_does_not_exist_is_exit_2_too()
    {
        var missing = Path.Combine(Path.GetTempPath(), "bg-missing-" + Guid.NewGuid().ToString("N"));
        var info = new ProcessStartInfo(RepoPaths.RunSh) { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("status");
        info.Environment["BLUEGREEN_HOME"] = missing;
        info.Environment["TERM"] = "dumb";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Equal($"error: BLUEGREEN_HOME {missing}: no such folder", (await stderr).Trim());
        Assert.Equal("", await stdout);
    }

    [Fact]
    public async Task A_hint_names_the_home_the_operator_gave()
    {
        AddShop();

        var result = await CliRunner.RunAsync(_home.Root, "validate", "shop");
        var json = await CliRunner.RunAsync(_home.Root, "validate", "shop", "--json");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"next: run ./run.sh --home {_home.Root} deploy shop --version VERSION", result.Stderr);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal($"run ./run.sh --home {_home.Root} deploy shop --version VERSION", doc.RootElement.GetProperty("hint").GetString());
    }

    [Fact]
    public async Task Without_home_the_hint_is_unchanged()
    {
        AddShop();
        var info = new ProcessStartInfo(RepoPaths.RunSh) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "validate", "shop" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["BLUEGREEN_HOME"] = _home.Root;
        info.Environment["TERM"] = "dumb";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Contains("next: run ./run.sh deploy shop --version VERSION", await stderr);
    }

    [Fact]
    public async Task The_option_wins_over_the_environment_which_wins_over_the_file()
    {
        // Three loopback addresses, one per layer: the cockpit says where it listens.
        _home.WriteGlobal("ROUTER_API=\nCOCKPIT_LISTEN=127.0.0.2:0\n");

        Assert.StartsWith("http://127.0.0.2:", await CockpitUrlAsync([]));
        Assert.StartsWith("http://127.0.0.3:", await CockpitUrlAsync([], new Dictionary<string, string> { ["COCKPIT_LISTEN"] = "127.0.0.3:0" }));
        Assert.StartsWith("http://127.0.0.4:", await CockpitUrlAsync(["--listen", "127.0.0.4:0"], new Dictionary<string, string> { ["COCKPIT_LISTEN"] = "127.0.0.3:0" }));
    }

    [Fact]
    public async Task A_bad_value_from_the_environment_is_exit_2_naming_the_environment()
    {
        var result = await CliRunner.RunAsync(_home.Root, ["cockpit"], new Dictionary<string, string> { ["COCKPIT_MODE"] = "root" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("environment: COCKPIT_MODE: 'root' is not one of safe, admin", result.Stderr);
    }

    [Fact]
    public async Task A_bad_listen_option_is_exit_2()
    {
        var result = await CliRunner.RunAsync(_home.Root, "cockpit", "--listen", "example.com:80");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--listen: 'example.com:80': the host must be an IP address", result.Stderr);
    }

    [Fact]
    public async Task DRY_RUN_from_the_environment_wins_over_the_file_both_ways()
    {
        AddShop();
        _home.WriteGlobal("ROUTER_API=\nDRY_RUN=1\n");
        await CliRunner.RunAsync(_home.Root, ["apply", "shop", "--yes"], new Dictionary<string, string> { ["DRY_RUN"] = "0" });
        _home.WriteGlobal("ROUTER_API=\nDRY_RUN=0\n");
        await CliRunner.RunAsync(_home.Root, ["apply", "shop", "--yes"], new Dictionary<string, string> { ["DRY_RUN"] = "1" });

        // Nothing to apply either time: the journal says whether each refusal was a dry run.
        var journal = await CliRunner.RunAsync(_home.Root, "journal", "shop", "--json");
        using var doc = JsonDocument.Parse(journal.Stdout);
        Assert.Equal(["refused", "dry-run"], doc.RootElement.EnumerateArray().Select(e => e.GetProperty("outcome").GetString()));
    }

    [Theory]
    [InlineData("stauts", "error: Unrecognized command or argument 'stauts'. (did you mean status?)")]
    [InlineData("apply shop --jsno", "(did you mean --json?)")]
    [InlineData("lock aquire", "(did you mean acquire?)")]
    [InlineData("journal verfy", "(did you mean verify?)")]
    [InlineData("validate shpo", "no site named 'shpo' (no such file) (did you mean shop?)")]
    [InlineData("journal shpo", "(did you mean shop?)")]
    public async Task A_typo_gets_did_you_mean_and_exit_2(string line, string expected)
    {
        AddShop();

        var result = await CliRunner.RunAsync(_home.Root, line.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }

    [Fact]
    public async Task A_typo_of_a_key_in_a_site_file_gets_did_you_mean()
    {
        _home.WriteSite("shop", "RULE=Host(`shop.example.com`)\nSLOT_A_URL=http://127.0.0.1:9/\nSLOT_B_URL=http://127.0.0.2:9/\nHEALTH_PAHT=/health\n");

        var result = await CliRunner.RunAsync(_home.Root, "validate", "shop");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("shop.conf:4: unknown key HEALTH_PAHT (did you mean HEALTH_PATH?)", result.Stderr);
    }

    [Fact]
    public async Task The_help_for_a_parse_error_is_the_commands_own()
    {
        var result = await CliRunner.RunAsync(_home.Root, "lock", "acquire", "--colour");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("see ./run.sh lock acquire --help", result.Stderr);
    }

    [Fact]
    public async Task Help_shows_run_sh_as_the_operator_types_it()
    {
        var root = await CliRunner.RunAsync(_home.Root, "--help");
        var sub = await CliRunner.RunAsync(_home.Root, "lock", "acquire", "--help");

        Assert.Equal(0, root.ExitCode);
        Assert.Equal(0, sub.ExitCode);  // help even though the required --message is missing
        Assert.Contains("  ./run.sh [command] [options]", root.Stdout);
        Assert.DoesNotContain("bluegreen [", root.Stdout);
        Assert.Contains("  ./run.sh lock acquire [options]", sub.Stdout);
        foreach (var command in Program.BuildCommandLine().Subcommands)
        {
            Assert.Contains($"  {command.Name}", root.Stdout);
        }
    }

    [Fact]
    public async Task Version_is_the_same_as_the_version_option()
    {
        var option = await RunWithoutHomeAsync("--version");
        var command = await RunWithoutHomeAsync("version");
        var json = await RunWithoutHomeAsync("version", "--json");

        Assert.Equal(0, command.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(command.Stdout));
        Assert.Equal(option.Stdout, command.Stdout);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(command.Stdout.Trim(), doc.RootElement.GetProperty("version").GetString());
    }

    [Fact]
    public async Task The_bash_completion_script_names_the_real_commands_and_completes_them()
    {
        var script = await CliRunner.RunAsync(_home.Root, "completion", "bash");
        Assert.Equal(0, script.ExitCode);
        foreach (var command in Program.BuildCommandLine().Subcommands)
        {
            Assert.Contains(command.Name, script.Stdout);
        }

        AddShop();
        var file = Path.Combine(_home.Root, "completion.bash");
        File.WriteAllText(file, script.Stdout);

        Assert.Equal("journal", await CompleteAsync(file, "./run.sh", "jou"));
        Assert.Equal("acquire", await CompleteAsync(file, "./run.sh", "lock", "acq"));
        var journalWords = (await CompleteAsync(file, "./run.sh", "--home", _home.Root, "journal", "")).Split(' ');
        Assert.Contains("shop", journalWords);
        Assert.Contains("verify", journalWords);
        Assert.Contains("--limit", journalWords);
        Assert.Equal("shop", await CompleteAsync(file, "./run.sh", "--home", _home.Root, "apply", "sh"));
        Assert.Equal("--dry-run", await CompleteAsync(file, "./run.sh", "apply", "shop", "--dr"));
        Assert.Equal("", await CompleteAsync(file, "./run.sh", "deploy", "shop", "--version", ""));
    }

    [Fact]
    public async Task The_zsh_completion_script_loads_the_same_completion_through_bashcompinit()
    {
        var zsh = await CliRunner.RunAsync(_home.Root, "completion", "zsh");
        var bad = await CliRunner.RunAsync(_home.Root, "completion", "fish");

        Assert.Equal(0, zsh.ExitCode);
        Assert.StartsWith("#compdef run.sh", zsh.Stdout);
        Assert.Contains("bashcompinit", zsh.Stdout);
        Assert.Contains("complete -F _bluegreen_run_sh", zsh.Stdout);
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public async Task Piped_tables_are_tab_separated_under_a_header_of_single_words()
    {
        AddShop();
        await CliRunner.RunAsync(_home.Root, "validate", "shop");
        await CliRunner.RunAsync(_home.Root, "apply", "shop", "--yes", "--dry-run");

        var result = await CliRunner.RunAsync(_home.Root, "journal");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal("SEQ\tTIME\tSITE\tACTION\tOUTCOME\tACTOR\tVIA\tFROM\tTO\tMESSAGE", lines[0]);
        Assert.True(lines.Length >= 2, result.ToString());
        Assert.All(lines, l => Assert.Equal(10, l.Split('\t').Length));
        Assert.Contains(lines, l => l.Split('\t') is [_, _, "shop", "validate", "refused", ..]);
    }

    [Fact]
    public async Task Journal_of_an_unknown_site_is_exit_2_and_of_a_known_one_exit_0()
    {
        AddShop();

        var unknown = await CliRunner.RunAsync(_home.Root, "journal", "nosuch");
        var known = await CliRunner.RunAsync(_home.Root, "journal", "shop");

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no site named 'nosuch'", unknown.Stderr);
        Assert.Equal(0, known.ExitCode);
    }

    [Fact]
    public async Task Journal_verify_json_parses_and_names_no_command_that_does_not_exist()
    {
        AddShop();
        await CliRunner.RunAsync(_home.Root, "validate", "shop");

        var ok = await CliRunner.RunAsync(_home.Root, "journal", "verify", "--json");
        using (var doc = JsonDocument.Parse(ok.Stdout))
        {
            Assert.Equal(0, ok.ExitCode);
            Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal(1, doc.RootElement.GetProperty("entries").GetInt64());
        }

        File.AppendAllText(_home.JournalFile, "{\"seq\": 99}\n");
        var broken = await CliRunner.RunAsync(_home.Root, "journal", "verify", "--json");
        using (var doc = JsonDocument.Parse(broken.Stdout))
        {
            Assert.Equal(1, broken.ExitCode);
            Assert.False(doc.RootElement.GetProperty("ok").GetBoolean());
            Assert.True(doc.RootElement.GetProperty("line").GetInt64() >= 1, broken.Stdout);
            Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("reason").GetString()));
        }

        Assert.DoesNotContain("./run.sh verify", ok.All + broken.All);
    }

    [Theory]
    [InlineData("journal --json")]
    [InlineData("journal shop --limit 1 --json")]
    [InlineData("lock status --json")]
    [InlineData("validate shop --json")]
    [InlineData("apply shop --dry-run --json")]
    [InlineData("deploy shop --version v1 --dry-run --json")]
    [InlineData("version --json")]
    public async Task Json_output_parses(string line)
    {
        AddShop();
        await CliRunner.RunAsync(_home.Root, "validate", "shop");

        var result = await CliRunner.RunAsync(_home.Root, line.Split(' '));

        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.NotEqual(JsonValueKind.Undefined, doc.RootElement.ValueKind);
    }

    private async Task<string> CockpitUrlAsync(string[] args, IDictionary<string, string>? env = null)
    {
        using var process = CliRunner.Start(_home.Root, ["cockpit", .. args], env);
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.StartsWith("cockpit: http", StringComparison.Ordinal))
                {
                    return line["cockpit: ".Length..];
                }
            }

            throw new InvalidOperationException($"the cockpit exited ({process.ExitCode}) without saying where it listens: {await process.StandardError.ReadToEndAsync()}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
    }

    private static async Task<CliResult> RunWithoutHomeAsync(params string[] args)
    {
        var info = new ProcessStartInfo(RepoPaths.RunSh) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["TERM"] = "dumb";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>What bash offers for the last word, with the script loaded: COMPREPLY, space-separated.</summary>
    private static async Task<string> CompleteAsync(string script, params string[] words)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("source \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _bluegreen_run_sh; echo \"${COMPREPLY[*]}\"");
        info.ArgumentList.Add("complete");
        info.ArgumentList.Add(script);
        foreach (var word in words)
        {
            info.ArgumentList.Add(word);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0 && (await stderr).Length == 0, await stderr);
        return (await stdout).Trim();
    }
}
