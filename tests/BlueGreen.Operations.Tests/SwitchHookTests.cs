using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Slots;
using BlueGreen.Infrastructure.Processes;
using BlueGreen.Operations.Switching;
using BlueGreen.Operations.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Operations.Tests;

/// <summary>
/// PRE_SWITCH_CMD and POST_SWITCH_CMD with real shells (docs/reference.md, "Switch hooks"): a failing or hanging
/// pre-hook refuses and leaves the routing file byte for byte, a failing post-hook leaves the switch standing
/// (exit 5), the order is pre → routing → outcome → post, and a dry run names the hooks without running them.
/// </summary>
public sealed class SwitchHookTests : OperationTest
{
    /// <summary>Writes a hook script (not executable: run by sh) under the home (run as `sh hooks/NAME.sh`); returns the key's value.</summary>
    private string Hook(string name, string script)
    {
        var path = Home.Path_("hooks", $"{name}.sh");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, script);
        return $"sh hooks/{name}.sh";
    }

    [Fact]
    public async Task A_failing_pre_hook_refuses_the_switch_leaves_the_routing_byte_identical_and_journals_its_last_lines()
    {
        await LiveOnAWithCandidateOnB();
        // Thirty numbered lines on stdout, the last one on stderr: the journal carries the last ten, in order.
        WriteSite($"PRE_SWITCH_CMD={Hook("pre", "i=1\nwhile [ $i -le 30 ]; do printf 'out-%02d\\n' $i; i=$((i+1)); done\necho 'not today' >&2\nexit 7\n")}\n");
        var routingBefore = File.ReadAllBytes(RoutingFile);
        var journalBefore = Journal().Count;

        var result = await Apply();

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("PRE_SWITCH_CMD exit code 7", result.Message);
        Assert.Equal(routingBefore, File.ReadAllBytes(RoutingFile));
        Assert.Equal(Slot.A, State().Live);
        var line = Assert.Single(JournalSince(journalBefore));
        Assert.Equal(("apply", JournalOutcome.Refused), (line.Action, line.Outcome));
        Assert.Contains("last output: out-22 | out-23 | out-24 | out-25 | out-26 | out-27 | out-28 | out-29 | out-30 | not today", line.Message);
        Assert.DoesNotContain("out-21", line.Message);
        Assert.Contains("not today", Reporter.OutputLines);
        Assert.Contains("out-30", File.ReadAllText(Directory.GetFiles(Home.Path_("var", "log", "hooks"), "shop-*-pre-switch.log").Single()));
    }

    [Fact]
    public async Task A_hanging_pre_hook_is_killed_at_HOOK_TIMEOUT_with_its_whole_process_group_and_refuses()
    {
        await LiveOnAWithCandidateOnB();
        var groupFile = Home.Path_("hook-pgid");
        // A background child in the hook's group, then the group's id (field 5 of /proc/PID/stat), then a wait for ever.
        WriteSite($"HOOK_TIMEOUT=1\nPRE_SWITCH_CMD={Hook("pre", $"sleep 600 &\nread -r _ _ _ _ pgid _ < /proc/$$/stat\necho $pgid > {groupFile}\necho hanging\nwait\n")}\n");
        var routingBefore = File.ReadAllBytes(RoutingFile);

        // The real clock: HOOK_TIMEOUT and the kill grace are timed by it.
        var result = await Apply(clock: TimeProvider.System);

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("PRE_SWITCH_CMD timed out after", result.Message);
        Assert.Contains("last output: hanging", result.Message);
        Assert.Equal(routingBefore, File.ReadAllBytes(RoutingFile));
        var pgid = int.Parse(File.ReadAllText(groupFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(pgid > 1, $"the hook wrote {pgid} as its process group");
        await Poll.UntilAsync(() => !ProcessGroup.HasRunningMembers(pgid), $"process group {pgid} (the hook and its sleep) to be gone");
        Assert.Equal(JournalOutcome.Refused, Journal()[^1].Outcome);
    }

    [Fact]
    public async Task A_failing_post_hook_is_journaled_after_the_outcome_and_the_switch_stands_with_exit_5()
    {
        await LiveOnAWithCandidateOnB();
        WriteSite($"POST_SWITCH_CMD={Hook("post", "echo 'cache purge failed'\nexit 4\n")}\n");

        var result = await Apply();

        AssertCode(ExitCode.HookFailed, result);
        Assert.Equal(5, (int)result.Code);
        Assert.Contains("slot b (v2) is live", result.Message);
        Assert.Contains("POST_SWITCH_CMD failed: POST_SWITCH_CMD exit code 4", result.Message);
        Assert.Equal(Slot.B, RoutedSlot());
        Assert.Equal((Slot.B, Slot.A), (State().Live, State().RollbackTarget));
        var journal = Journal();
        var (started, outcome, hook) = (journal[^3], journal[^2], journal[^1]);
        Assert.Equal(("apply", JournalOutcome.Started), (started.Action, started.Outcome));
        Assert.Equal(("apply", JournalOutcome.Succeeded, started.Seq), (outcome.Action, outcome.Outcome, outcome.Ref));
        Assert.Equal((JournalAction.PostSwitchHook, JournalOutcome.Failed, "b", "v2"), (hook.Action, hook.Outcome, hook.ToSlot, hook.ToVersion));
        Assert.Contains("the switch stands", hook.Message);
        Assert.Contains("last output: cache purge failed", hook.Message);

        // The hook's line does not read as an unfinished switch: the next switch (a rollback) goes through.
        WriteSite();
        await Done(Rollback());
        Assert.Equal(Slot.A, RoutedSlot());
    }

    [Fact]
    public async Task Hooks_get_exactly_the_documented_environment_and_run_in_the_documented_order()
    {
        await LiveOnAWithCandidateOnB();
        // Each hook keeps its environment and what it sees: the routing file (pre) and the journal (post).
        var pre = Hook("pre", "env > pre.env\ncp var/routes/bluegreen-shop.yml pre.routing\n");
        var post = Hook("post", "env > post.env\ncp var/journal/journal.jsonl post.journal\n");
        WriteSite($"PRE_SWITCH_CMD={pre}\nPOST_SWITCH_CMD={post}\n");
        var routingBefore = File.ReadAllText(RoutingFile);

        await Done(Apply());

        var expected = new Dictionary<string, string>
        {
            ["BG_SITE"] = SiteName,
            ["BG_ACTION"] = "apply",
            ["BG_FROM_SLOT"] = "a",
            ["BG_FROM_VERSION"] = "v1",
            ["BG_TO_SLOT"] = "b",
            ["BG_TO_VERSION"] = "v2",
            ["BG_ACTOR"] = "tester@test-host",
            ["BG_HOME"] = Home.Root,
        };
        Assert.Equal(expected, BgVariables("pre.env"));
        Assert.Equal(expected, BgVariables("post.env"));
        Assert.Equal(routingBefore, File.ReadAllText(Home.Path_("pre.routing")));
        var seenByPost = File.ReadAllLines(Home.Path_("post.journal"));
        Assert.Contains("\"outcome\":\"succeeded\"", seenByPost[^1]);
        Assert.Contains("\"action\":\"apply\"", seenByPost[^1]);
        var (started, _) = LastCommand("apply");
        Assert.EndsWith("; PRE_SWITCH_CMD passed", started.Message, StringComparison.Ordinal);

        await Done(Rollback());

        var rolledBack = new Dictionary<string, string>(expected) { ["BG_ACTION"] = "rollback", ["BG_FROM_SLOT"] = "b", ["BG_FROM_VERSION"] = "v2", ["BG_TO_SLOT"] = "a", ["BG_TO_VERSION"] = "v1" };
        Assert.Equal(rolledBack, BgVariables("pre.env"));
        Assert.Equal(rolledBack, BgVariables("post.env"));
    }

    [Fact]
    public async Task A_first_switch_gives_the_hooks_an_empty_from()
    {
        await ReadyCandidate("v1");
        WriteSite($"PRE_SWITCH_CMD={Hook("pre", "env > pre.env\n")}\n");

        await Done(Apply());

        var env = BgVariables("pre.env");
        Assert.Equal(("", "", "a", "v1"), (env["BG_FROM_SLOT"], env["BG_FROM_VERSION"], env["BG_TO_SLOT"], env["BG_TO_VERSION"]));
    }

    [Fact]
    public async Task A_dry_run_names_the_hooks_and_runs_neither()
    {
        await LiveOnAWithCandidateOnB();
        WriteSite($"PRE_SWITCH_CMD={Hook("pre", "touch pre.ran\n")}\nPOST_SWITCH_CMD={Hook("post", "touch post.ran\n")}\n");
        var routingBefore = File.ReadAllBytes(RoutingFile);

        var result = await Apply(dryRun: true);

        AssertCode(ExitCode.Done, result);
        Assert.Contains("would run PRE_SWITCH_CMD and POST_SWITCH_CMD", result.Message);
        Assert.Contains(Reporter.Steps, s => s.StartsWith("would run PRE_SWITCH_CMD `sh hooks/pre.sh` before the routing is written", StringComparison.Ordinal));
        Assert.Contains(Reporter.Steps, s => s.StartsWith("would run POST_SWITCH_CMD `sh hooks/post.sh` after the outcome is journaled", StringComparison.Ordinal));
        var outcome = Assert.IsType<SwitchOutcome>(result.Data);
        Assert.Equal(["PRE_SWITCH_CMD", "POST_SWITCH_CMD"], outcome.Hooks.Select(h => h.Key));
        Assert.Contains("would run PRE_SWITCH_CMD and POST_SWITCH_CMD", Journal()[^1].Message);
        Assert.False(File.Exists(Home.Path_("pre.ran")));
        Assert.False(File.Exists(Home.Path_("post.ran")));
        Assert.False(Directory.Exists(Home.Path_("var", "log", "hooks")));
        Assert.Equal(routingBefore, File.ReadAllBytes(RoutingFile));

        // The same hooks do run for real: the dry run's silence is not that they cannot.
        await Done(Apply());
        Assert.True(File.Exists(Home.Path_("pre.ran")) && File.Exists(Home.Path_("post.ran")));
    }

    /// <summary>The BG_* variables of an `env` dump the hook wrote (other variables are inherited, not ours to check).</summary>
    private Dictionary<string, string> BgVariables(string file) =>
        File.ReadAllLines(Home.Path_(file))
            .Where(l => l.StartsWith("BG_", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
}
