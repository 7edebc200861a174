using BlueGreen.Cli.Output;
using System.CommandLine;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Operations.Locking;

namespace BlueGreen.Cli.Commands;

/// <summary>`lock status|acquire|release` (docs/reference.md, "Locks").</summary>
public static class LockCommand
{
    public static Command Build() => new("lock", "the locks: status, and the maintenance lock an operator takes and releases (as Kamal's)")
    {
        Status(),
        Acquire(),
        Release(),
    };

    private static Command Status()
    {
        var json = CommonOptions.Json();
        var command = new Command("status", "every lock under var/locks: free, held or stale, and who holds it; and the maintenance lock") { json };
        command.SetAction(parse =>
        {
            var context = CliContext.Create(parse, parse.GetValue(json));
            if (context is null)
            {
                return 2;
            }

            var report = new LockOperation(context.ForOperation(CliContext.CommandLineOf(parse), dryRunFlag: false)).Status();
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(new LockStatusJson(
                    report.Locks.Select(l => new LockJson(l.Name, l.State.ToString().ToLowerInvariant(), l.Holder)).ToList(),
                    report.Maintenance));
                return 0;
            }

            context.Terminal.Line(report.Maintenance is { } hold
                ? $"maintenance: held by {hold.Holder}: \"{hold.Message}\" (every mutating command exits 4; ./run.sh lock release ends it)"
                : "maintenance: free");
            if (report.Locks.Count == 0)
            {
                context.Terminal.Line("no other lock was ever taken in this home");
            }

            foreach (var l in report.Locks)
            {
                var who = l.Holder is { } h ? $" by {h}" : "";
                var note = l.State == LockState.Stale ? " (its holder is gone: the next command takes it over)" : "";
                context.Terminal.Line($"{l.Name}: {l.State.ToString().ToLowerInvariant()}{who}{note}");
            }

            return 0;
        });
        return command;
    }

    private static Command Acquire()
    {
        var message = new Option<string?>("--message", "-m") { Description = "why (one line, at most 200 characters): every refused command shows it", Required = true };
        var json = CommonOptions.Json();
        var lockWait = CommonOptions.LockWait();
        var command = new Command("acquire", "takes the maintenance lock: every mutating command exits 4 until lock release (it outlives this process)") { message, json, lockWait };
        command.SetAction(async (parse, ct) =>
        {
            var context = CliContext.Create(parse, parse.GetValue(json));
            if (context is null)
            {
                return 2;
            }

            var operation = new LockOperation(context.ForOperation(CliContext.CommandLineOf(parse), dryRunFlag: false, CommonOptions.LockWaitOf(parse, lockWait)));
            return context.Terminal.Finish(await operation.AcquireAsync(parse.GetValue(message), ct));
        });
        return command;
    }

    private static Command Release()
    {
        var json = CommonOptions.Json();
        var command = new Command("release", "releases the maintenance lock, whoever took it (journaled)") { json };
        command.SetAction(parse =>
        {
            var context = CliContext.Create(parse, parse.GetValue(json));
            if (context is null)
            {
                return 2;
            }

            return context.Terminal.Finish(new LockOperation(context.ForOperation(CliContext.CommandLineOf(parse), dryRunFlag: false)).Release());
        });
        return command;
    }
}
