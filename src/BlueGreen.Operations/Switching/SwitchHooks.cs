using System.ComponentModel;
using System.Globalization;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Switching;
using BlueGreen.Infrastructure.Processes;
using BlueGreen.Operations.Common;

namespace BlueGreen.Operations.Switching;

/// <summary>When a switch hook runs: before the routing is written (it may refuse the switch) or after the outcome.</summary>
public enum SwitchHook
{
    Pre,
    Post,
}

/// <summary>A hook a switch runs or, in a dry run, would run (--json: <c>result.hooks</c>).</summary>
public sealed record PlannedHook(string Key, string Command, string When);

/// <summary>How one hook ended; <see cref="CouldNotRun"/> when it never started (sh missing, log not writable).</summary>
internal sealed record HookRun(SwitchHook Hook, ShellCommandResult? Result, string? CouldNotRun, string LogFile)
{
    /// <summary>How many of its last output lines a failed hook's journal line carries.</summary>
    public const int LinesInJournal = 10;

    public bool Succeeded => Result is { Succeeded: true };

    public bool Canceled => Result is { Canceled: true };

    /// <summary>"PRE_SWITCH_CMD exit code 1 after 0.2 s; last output: «...» | «...» (log: FILE)".</summary>
    public string Describe()
    {
        var key = SwitchHooks.KeyOf(Hook);
        if (Result is null)
        {
            return $"{key} could not run ({CouldNotRun})";
        }

        var tail = Result.Tail.TakeLast(LinesInJournal).ToList();
        var output = tail.Count == 0 ? "no output" : "last output: " + string.Join(" | ", tail);
        return $"{key} {(Result.Canceled ? "was stopped by a signal" : Result.Describe())}; {output} (log: {LogFile})";
    }
}

/// <summary>
/// PRE_SWITCH_CMD and POST_SWITCH_CMD (docs/reference.md, "Switch hooks"): run through the one command runner,
/// like DEPLOY_CMD (sh -c, own process group, HOOK_TIMEOUT kills the group), output to var/log/hooks/, with the
/// switch's environment. Whether a hook's failure refuses or only reports is the switch's decision.
/// </summary>
internal sealed class SwitchHooks(OperationContext context)
{
    public static string KeyOf(SwitchHook hook) => hook == SwitchHook.Pre ? "PRE_SWITCH_CMD" : "POST_SWITCH_CMD";

    public static string CommandOf(SiteConfig site, SwitchHook hook) => hook == SwitchHook.Pre ? site.PreSwitchCmd : site.PostSwitchCmd;

    /// <summary>The configured hooks, in the order a switch runs them.</summary>
    public static IReadOnlyList<PlannedHook> Planned(SiteConfig site) =>
    [
        .. new[] { (SwitchHook.Pre, "before the routing is written"), (SwitchHook.Post, "after the outcome is journaled") }
            .Where(h => CommandOf(site, h.Item1).Length > 0)
            .Select(h => new PlannedHook(KeyOf(h.Item1), CommandOf(site, h.Item1), h.Item2)),
    ];

    /// <summary>Runs the hook, or returns null when it is not configured. A signal stops it (its whole group).</summary>
    public async Task<HookRun?> RunAsync(SiteTransaction tx, SwitchHook hook, SwitchPlan plan)
    {
        var site = tx.Site;
        var command = CommandOf(site, hook);
        if (command.Length == 0)
        {
            return null;
        }

        var key = KeyOf(hook);
        if (tx.Signalled.IsCancellationRequested)
        {
            // Started only to be killed at once, a hook could be left half done: it is not started at all.
            return new HookRun(hook, null, "not started: a signal arrived before it", "-");
        }

        var stamp = context.Clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
        var logFile = context.Home.HookLog(site.Name, stamp, hook == SwitchHook.Pre ? "pre" : "post");
        context.Reporter.Step($"running {key} (output: {logFile})");
        var request = new ShellCommandRequest(
            command,
            context.Home.Root,
            CommandEnvironment.ForSwitch(site.Name, tx.Action, plan.From, plan.To, context.Actor, context.Home.Root),
            site.HookTimeout,
            logFile)
        {
            // Whoever takes the site lock over after a crash ends what the hook left running.
            OnStarted = pgid => tx.RecordChildGroup(pgid, key),
        };
        try
        {
            var result = await new ShellCommand(context.Clock).RunAsync(request, tx.Signalled);
            tx.RecordChildGroup(null, key);
            return new HookRun(hook, result, null, logFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Win32Exception)
        {
            return new HookRun(hook, null, e.Message, logFile);
        }
    }

    /// <summary>Shows a failed hook's last lines to the operator (the journal line carries fewer).</summary>
    public void ShowTail(HookRun run)
    {
        foreach (var line in run.Result?.Tail.TakeLast(15) ?? [])
        {
            context.Reporter.Output(line);
        }
    }
}
