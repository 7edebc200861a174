using System.Text.RegularExpressions;
using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Switching;
using BlueGreen.Gates;
using BlueGreen.Infrastructure.Processes;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Infrastructure.State;
using BlueGreen.Infrastructure.Status;
using BlueGreen.Operations.Common;
using BlueGreen.Operations.Routing;

namespace BlueGreen.Operations.Deploying;

/// <summary>What a deploy did, for --json.</summary>
public sealed record DeployOutcome(string Site, string Slot, string Version, string? DeploymentId, string? LogFile, bool DryRun);

/// <summary>
/// `deploy SITE --version V`: puts V on the candidate slot, never on the live one (CONTRACT). Runs
/// DEPLOY_CMD, or only records the version when it is empty.
/// </summary>
public sealed partial class DeployOperation(OperationContext context)
{
    private readonly OperationJournal _journal = new(context);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._+:@/-]{0,127}$")]
    private static partial Regex VersionPattern();

    public async Task<OperationResult> RunAsync(string site, string version, CancellationToken ct)
    {
        if (!VersionPattern().IsMatch(version))
        {
            return new OperationResult(ExitCode.Usage, $"--version '{version}' is not a version: use letters, digits and . _ + : @ / - (at most 128, no spaces)");
        }

        return await UnderLocks.RunAsync(context, _journal, "deploy", site, switchLock: false, config => DeployUnderLockAsync(config, version, ct));
    }

    private async Task<OperationResult> DeployUnderLockAsync(SiteConfig site, string version, CancellationToken ct)
    {
        var store = new StateStore(context.Home);
        var state = store.Read(site.Name);
        var slot = state.CandidateSlot;
        var to = new SlotVersion(slot.Name(), version);
        var replaces = state.Candidate is { } old ? $" (replaces {old.Version})" : "";
        var how = site.DeployCmd.Length > 0 ? $"run DEPLOY_CMD `{site.DeployCmd}`" : "record the version (DEPLOY_CMD is empty)";
        if (state.RollbackTarget == slot)
        {
            context.Reporter.Warn($"slot {slot.Name()} is the rollback target ({state.Candidate?.Version}): after this deploy there is nothing to roll back to");
        }

        if (context.DryRun)
        {
            context.Reporter.Step($"would {how} for {version} on candidate slot {slot.Name()} ({site.UrlOf(slot)}){replaces}; live slot {state.Live?.Name() ?? "(none)"} is not touched");
            ShowPreviewPlan(site, state);
            _journal.Record(site.Name, "deploy", JournalOutcome.DryRun, $"dry run: would deploy {version} on slot {slot.Name()}", null, to);
            return OperationResult.Done($"dry run: deploy {site.Name} {version} would go to slot {slot.Name()}; nothing was changed", new DeployOutcome(site.Name, slot.Name(), version, null, null, true));
        }

        _journal.Record(site.Name, "deploy", JournalOutcome.Started, $"deploying {version} on candidate slot {slot.Name()}{replaces}", null, to);

        // The slot's content is about to change: until the deploy succeeds it holds no known deployment.
        state = store.Write(state.WithDeployment(slot, null) with { RollbackTarget = state.RollbackTarget == slot ? null : state.RollbackTarget }, context.Clock.GetUtcNow());
        var id = NewDeploymentId();
        var logFile = Path.Combine(context.Home.LogDir, "deploy", $"{site.Name}-{id}.log");
        // Where the slot's log stands now: the log gate counts only what this deployment writes after it.
        var deployment = new Deployment(id, version, context.Clock.GetUtcNow(), context.Actor, LogMarker.Capture(site, slot, context.Clock));

        if (site.DeployCmd.Length > 0)
        {
            context.Reporter.Step($"running DEPLOY_CMD on slot {slot.Name()} (output: {logFile})");
            var request = new ShellCommandRequest(
                site.DeployCmd,
                context.Home.Root,
                CommandEnvironment.Build(site.Name, slot, site.UrlOf(slot), version, context.Home.Root, deploymentId: id),
                site.DeployTimeout,
                logFile);
            var result = await new ShellCommand(context.Clock).RunAsync(request, ct);
            if (!result.Succeeded)
            {
                foreach (var line in result.Tail.TakeLast(15))
                {
                    context.Reporter.Output(line);
                }

                var message = $"DEPLOY_CMD {result.Describe()}";
                _journal.Record(site.Name, "deploy", JournalOutcome.Failed, $"{message}; slot {slot.Name()} holds no valid deployment (log: {logFile})", null, to);
                return new OperationResult(ExitCode.Failed, $"deploy {site.Name} {version} failed: {message}", $"see {logFile}; the live slot was not touched");
            }
        }

        state = store.Write(SwitchPolicy.AfterDeploy(state, deployment), context.Clock.GetUtcNow());
        UpdatePreviewRoute(site, state);
        _journal.Record(site.Name, "deploy", JournalOutcome.Succeeded, $"{version} is on candidate slot {slot.Name()} (deployment {id})", null, to);
        return new OperationResult(ExitCode.Done, $"{site.Name}: {version} deployed on candidate slot {slot.Name()}", $"run ./run.sh validate {site.Name}",
            new DeployOutcome(site.Name, slot.Name(), version, id, site.DeployCmd.Length > 0 ? logFile : null, false));
    }

    private void ShowPreviewPlan(SiteConfig site, SiteState state)
    {
        if (site.PreviewRule is null)
        {
            return;
        }

        var routing = new RoutingFiles(context.Home, context.Global);
        var after = PreviewRouting(site, state);
        context.Reporter.ShowDiff(routing.PathOf(site.Name), LineDiff.Compute(routing.ReadText(site.Name) ?? "", after));
    }

    /// <summary>With PREVIEW_RULE, the preview router follows the candidate; production routing stays as it is.</summary>
    private void UpdatePreviewRoute(SiteConfig site, SiteState state)
    {
        if (site.PreviewRule is null)
        {
            return;
        }

        var routing = new RoutingFiles(context.Home, context.Global);
        if (Drift.Detect(state, routing) is { } drift)
        {
            context.Reporter.Warn($"the preview route was not updated: {drift}");
            return;
        }

        new RoutingFileWriter(routing, context.Home, context.Clock).Write(site.Name, PreviewRouting(site, state), "deploy");
        context.Reporter.Step($"preview route {RoutingPlanner.PreviewRouter(site.Name)} now reaches slot {state.CandidateSlot.Name()}");
    }

    private static string PreviewRouting(SiteConfig site, SiteState state) =>
        RoutingPlanner.Render(site, state.Live, state.CandidateSlot, $"live: {state.Live?.Name() ?? "none"}; preview: slot {state.CandidateSlot.Name()} ({state.Candidate?.Version})");

    private string NewDeploymentId() =>
        $"{context.Clock.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
}
