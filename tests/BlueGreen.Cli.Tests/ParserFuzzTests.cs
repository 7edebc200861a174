using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// Many random and bad argument vectors through the real program: every one ends with a documented exit code
/// (0 to 4), and no stack trace or "Unhandled exception" ever reaches the operator. The seed is in every
/// failure message, so a failing vector can be replayed.
/// </summary>
public sealed class ParserFuzzTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    // Long-running commands (router, cockpit, demo) appear only with a value that must be refused at parse time.
    private static readonly string[] Commands = ["status", "config", "check", "deploy", "validate", "apply", "rollback", "recover", "lock", "acquire", "release", "journal", "verify", "completion", "version", "test", "stauts", "help", ""];

    private static readonly string[] Options =
    [
        "--json", "--dry-run", "--yes", "-y", "--force", "--limit", "-n", "--version", "--lock-wait", "--expect", "--message", "-m",
        "--anchor", "--no-health", "--home", "--help", "-h", "-?", "--", "-", "--listen", "--jsno", "--limit=3", "--lock-wait=-1",
    ];

    private static readonly string[] Values =
    [
        "shop", "nosuch", "../../etc/passwd", "SHOP", "0", "-1", "99999999999999999999", "3.5", "1e9", "x y", "", " ", "\t", "é", "日本",
        "'; rm -rf /", "$(id)", "%n%s", "{}", "[suggest:3]", "[diagram]", "@args.rsp", "\\", "a\u0001b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "v1", "1.2.3", "bash", "zsh", "fish", "/nonexistent/home", "d-1@0123456789abcdef",
    ];

    private static readonly string[][] Fixed =
    [
        ["router", "--listen", "example.com:80"],
        ["cockpit", "--listen", "nohost"],
        ["router", "--api", "1.2.3.4"],
        ["demo", "--nosuch"],
        ["cockpit", "--mode", "admin"],
        ["--home"],
        ["rollback", "--home", "fish", "--help", "../../etc/passwd"],   // found by this test: --home twice under --help
        ["--home", "/nonexistent/home", "status"],
        ["journal", "--limit", "0"],
        ["journal", "--limit", "abc"],
        ["deploy", "shop", "--version", "a b"],
        ["apply", "shop", "--expect", "not-a-plan"],
        ["lock", "acquire", "--message", "two\nlines"],
        ["completion"],
        ["@/nonexistent/response-file"],
        ["validate", "--json", "nosuch"], // found by this test: with --json, why is the JSON's message (docs/reference.md)
    ];

    [Fact]
    public async Task No_argument_vector_gets_an_undocumented_exit_code_or_a_stack_trace()
    {
        _home.AddSite("shop", new Uri("http://127.0.0.1:9/"), new Uri("http://127.0.0.2:9/"));
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        var vectors = Fixed.Concat(Enumerable.Range(0, 40).Select(_ => RandomVector(random))).ToList();

        // Two at a time: the machine has two cores.
        using var gate = new SemaphoreSlim(2);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(vectors.Select(async args =>
        {
            await gate.WaitAsync();
            try
            {
                var result = await CliRunner.RunAsync(_home.Root, args, null, TimeSpan.FromSeconds(120));
                var shown = string.Join(' ', args.Select(a => $"'{a}'"));
                if (result.ExitCode is < 0 or > 4)
                {
                    failures.Add($"{shown}: exit {result.ExitCode}\n{result}");
                }

                if (result.All.Contains("   at ", StringComparison.Ordinal) || result.All.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"{shown}: a stack trace\n{result}");
                }

                if (result.ExitCode == 2 && result.Stderr.Length == 0 && !(args.Contains("--json") && HasMessage(result.Stdout)))
                {
                    failures.Add($"{shown}: exit 2 without saying why\n{result}");
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.True(failures.IsEmpty, $"seed {seed}:\n{string.Join("\n\n", failures)}");
    }

    /// <summary>With --json, an operation says why in its one object's `message` (docs/reference.md), not on stderr.</summary>
    private static bool HasMessage(string stdout)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(stdout);
            return json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && json.RootElement.TryGetProperty("message", out var message) && message.ValueKind == System.Text.Json.JsonValueKind.String
                && message.GetString() is { Length: > 0 };
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static string[] RandomVector(Random random)
    {
        var words = new List<string> { Commands[random.Next(Commands.Length)] };
        var count = random.Next(0, 5);
        for (var i = 0; i < count; i++)
        {
            words.Add(random.Next(3) switch
            {
                0 => Commands[random.Next(Commands.Length)],
                1 => Options[random.Next(Options.Length)],
                _ => Values[random.Next(Values.Length)],
            });
        }

        return words.ToArray();
    }
}
