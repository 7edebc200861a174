using BlueGreen.Core.Slots;
using BlueGreen.Infrastructure.Processes;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Processes;

public sealed class ShellCommandTests : IDisposable
{
    private static readonly IReadOnlyDictionary<string, string> NoEnv = new Dictionary<string, string>();

    private readonly TempDir _dir = new();
    private readonly ShellCommand _shell = new();

    public void Dispose() => _dir.Dispose();

    private ShellCommandRequest Request(string command, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? env = null, string? log = null) =>
        new(command, _dir.Path, env ?? NoEnv, timeout ?? TimeSpan.FromSeconds(30), log);

    [Fact]
    public async Task A_command_that_exits_zero_succeeds()
    {
        var result = await _shell.RunAsync(Request("true"));

        Assert.Equal(0, result.ExitCode);
        Assert.True(result.Succeeded);
        Assert.False(result.TimedOut);
    }

    [Fact]
    public async Task The_exit_code_of_a_failing_command_is_returned()
    {
        var result = await _shell.RunAsync(Request("exit 7"));

        Assert.Equal(7, result.ExitCode);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task Stdout_and_stderr_are_captured_in_order()
    {
        var result = await _shell.RunAsync(Request("echo one; echo two >&2; echo three"));

        Assert.Equal(["one", "two", "three"], result.Tail);
    }

    [Fact]
    public async Task Only_the_last_lines_are_kept_in_memory_but_all_go_to_the_log_file()
    {
        var log = _dir.File("logs/out.log");
        var request = Request("i=1; while [ $i -le 100 ]; do echo line $i; i=$((i+1)); done", log: log) with { TailLines = 5 };

        var result = await _shell.RunAsync(request);

        Assert.Equal(["line 96", "line 97", "line 98", "line 99", "line 100"], result.Tail);
        var lines = File.ReadAllLines(log);
        Assert.Equal(100, lines.Length);
        Assert.Equal("line 1", lines[0]);
    }

    [Fact]
    public async Task The_log_file_is_appended_to_not_replaced()
    {
        var log = _dir.File("out.log");
        await _shell.RunAsync(Request("echo first", log: log));
        await _shell.RunAsync(Request("echo second", log: log));

        Assert.Equal(["first", "second"], File.ReadAllLines(log));
    }

    [Fact]
    public async Task Environment_additions_reach_the_command_and_are_not_evaluated_by_a_shell()
    {
        var env = new Dictionary<string, string> { ["BG_VERSION"] = "$(echo injected) `id`" };

        var result = await _shell.RunAsync(Request("printf '%s\\n' \"$BG_VERSION\"", env: env));

        Assert.Equal(["$(echo injected) `id`"], result.Tail);
    }

    [Fact]
    public async Task The_command_runs_in_the_working_directory()
    {
        var result = await _shell.RunAsync(Request("pwd"));

        Assert.Equal(_dir.Path, result.Tail.Single());
    }

    [Fact]
    public async Task The_command_gets_end_of_input_rather_than_waiting_for_a_terminal()
    {
        var result = await _shell.RunAsync(Request("cat; echo done", TimeSpan.FromSeconds(10)));

        Assert.True(result.Succeeded);
        Assert.Equal(["done"], result.Tail);
    }

    [Fact]
    public async Task The_command_runs_in_its_own_process_group()
    {
        var result = await _shell.RunAsync(Request("ps -o pgid= -p $$"));

        Assert.Equal(result.ProcessGroup.ToString(), result.Tail.Single().Trim());
        Assert.NotEqual(Environment.ProcessId, result.ProcessGroup);
    }

    [Fact]
    public async Task The_command_does_not_run_before_its_group_is_recorded()
    {
        // A command may kill its caller at once (a crash test does): its group must be recorded by then. While the
        // caller records it, the group's shell waits on its input, and the command has not run.
        var marker = _dir.File("ran");
        string? seen = null;
        var request = Request($"touch '{marker}'") with
        {
            OnStarted = pgid =>
            {
                var waitingForInput = Poll.UntilAsync(() => ProcStat.Of(pgid) is { State: 'S' } && ReadWchan(pgid).Contains("pipe", StringComparison.Ordinal),
                    $"the group's shell ({pgid}) to wait on its input");
                waitingForInput.GetAwaiter().GetResult();
                seen = File.Exists(marker) ? "ran" : "waiting";
            },
        };

        var result = await _shell.RunAsync(request);

        Assert.Equal("waiting", seen);
        Assert.True(result.Succeeded, string.Join('\n', result.Tail));
        Assert.True(File.Exists(marker), "the command runs once its group is recorded");
    }

    private static string ReadWchan(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/wchan");
        }
        catch (IOException)
        {
            return "";
        }
    }

    [Fact]
    public async Task A_timeout_kills_the_whole_group_including_a_grandchild()
    {
        var started = DateTime.UtcNow;

        var result = await _shell.RunAsync(Request("sleep 300 & sleep 300", TimeSpan.FromMilliseconds(500)));

        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "the timeout must end the run");
        await ProcessTable.WaitUntilEmptyAsync(result.ProcessGroup);
    }

    [Fact]
    public async Task A_group_that_ignores_sigterm_is_killed_after_the_grace()
    {
        var request = Request("trap '' TERM; sh -c \"trap '' TERM; sleep 300\" & sleep 300", TimeSpan.FromMilliseconds(300)) with
        {
            KillGrace = TimeSpan.FromMilliseconds(300),
        };

        var result = await _shell.RunAsync(request);

        Assert.True(result.TimedOut);
        await ProcessTable.WaitUntilEmptyAsync(result.ProcessGroup);
    }

    [Fact]
    public async Task Cancellation_kills_the_whole_group_too()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        var result = await _shell.RunAsync(Request("sleep 300 & sleep 300"), cts.Token);

        Assert.True(result.Canceled);
        Assert.False(result.TimedOut);
        await ProcessTable.WaitUntilEmptyAsync(result.ProcessGroup);
    }

    [Fact]
    public async Task A_background_child_is_left_alone_after_a_normal_exit_unless_asked()
    {
        // DEPLOY_CMD may start a server with nohup ... &: it must outlive the command.
        var result = await _shell.RunAsync(Request("sleep 300 >/dev/null 2>&1 &"));
        try
        {
            Assert.True(result.Succeeded);
            Assert.NotEmpty(ProcessTable.LiveMembersOf(result.ProcessGroup));
        }
        finally
        {
            await _shell.KillGroupAsync(result.ProcessGroup, TimeSpan.FromMilliseconds(200));
        }

        await ProcessTable.WaitUntilEmptyAsync(result.ProcessGroup);
    }

    [Fact]
    public async Task Leftovers_are_killed_after_a_normal_exit_when_asked()
    {
        var request = Request("sleep 300 >/dev/null 2>&1 &") with { KillLeftoversOnExit = true };

        var result = await _shell.RunAsync(request);

        Assert.True(result.Succeeded);
        await ProcessTable.WaitUntilEmptyAsync(result.ProcessGroup);
    }

    [Fact]
    public async Task A_background_child_holding_the_output_open_does_not_hang_the_run()
    {
        var request = Request("sleep 300 & echo started") with { KillLeftoversOnExit = true };
        var started = DateTime.UtcNow;

        var result = await _shell.RunAsync(request);

        Assert.True(result.Succeeded);
        Assert.Contains("started", result.Tail);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_missing_working_directory_is_a_clear_error()
    {
        var request = Request("true") with { WorkingDirectory = _dir.File("nope") };

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => _shell.RunAsync(request));
        Assert.Contains("nope", error.Message);
    }
}
