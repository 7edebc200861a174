using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Validation;
using BlueGreen.Gates;
using BlueGreen.Infrastructure.Files;
using BlueGreen.Infrastructure.State;
using BlueGreen.Operations.Common;

namespace BlueGreen.Operations.Validating;

/// <summary>
/// `validate SITE`: runs every configured gate against the candidate slot, stores the report bound to
/// the candidate's deployment, and records the verdict in the state. Gates see only a CandidateView.
/// </summary>
public sealed class ValidateOperation(OperationContext context, HttpClient http)
{
    private readonly OperationJournal _journal = new(context);

    public Task<OperationResult> RunAsync(string site, CancellationToken ct)
    {
        return OperationFrame.RunAsync(context, _journal, JournalAction.Validate, site, switchLock: false, ct, ValidateAsync);
    }

    private async Task<OperationResult> ValidateAsync(SiteTransaction tx)
    {
        var site = tx.Site;
        var ct = tx.Signalled;
        var store = tx.StateStore;
        var state = tx.State;
        var slot = state.CandidateSlot;
        if (state.Candidate is not { } deployment)
        {
            var reason = $"nothing to validate: candidate slot {slot.Name()} holds no deployment";
            _journal.Record(site.Name, "validate", JournalOutcome.Refused, reason);
            return new OperationResult(ExitCode.Refused, $"validate {site.Name} refused: {reason}", $"run ./run.sh deploy {site.Name} --version VERSION");
        }

        var to = SlotVersion.Of(slot, deployment);
        tx.JournalIntent($"validating {deployment.Version} on candidate slot {slot.Name()}", null, to);
        var runner = GateRunner.ForValidation(http, context.Clock, onTestStarted: pgid => RecordChildGroup(tx, pgid));
        context.Reporter.Step($"validating {deployment.Version} on candidate slot {slot.Name()} ({site.UrlOf(slot)})");
        ValidationReport report;
        try
        {
            report = await runner.RunAsync(new CandidateView(site, slot, site.UrlOf(slot), deployment, context.Home.Root), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Fail(tx, to, "interrupted by a signal while the gates ran; no verdict was recorded");
        }

        tx.Reached("gates-run");
        if (ct.IsCancellationRequested)
        {
            return Fail(tx, to, "interrupted by a signal while the gates ran; no verdict was recorded");
        }

        var reportFile = context.Home.ValidationReport(site.Name, deployment.Id, report.StartedAt);
        var failure = report.FirstFailure;
        var summary = new ValidationSummary(deployment.Id, report.Passed, report.StartedAt, failure?.Gate, failure?.Reason, reportFile);
        try
        {
            AtomicFile.Write(reportFile, Json.Serialize(report, Json.Indented) + "\n");
            tx.Reached("report-written");
            store.Write(state with { Validation = summary }, context.Clock.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(tx, to, $"the verdict ({(report.Passed ? "passed" : "failed")}) could not be recorded ({e.Message}); the earlier verdict stands");
        }

        tx.Reached("state-recorded");

        foreach (var gate in report.Gates)
        {
            var line = $"{(gate.Passed ? "pass" : "FAIL")}  {gate.Gate,-6} {gate.Duration.TotalMilliseconds,6:0} ms  {gate.Reason}";
            if (gate.Passed)
            {
                context.Reporter.Step(line);
            }
            else
            {
                context.Reporter.Warn(line);
                foreach (var detail in gate.Details ?? [])
                {
                    context.Reporter.Output(detail);
                }
            }
        }

        var journaled = report.Passed
            ? tx.TryJournalOutcome(JournalOutcome.Succeeded, $"{deployment.Version} passed {report.Gates.Count} gate(s) in {report.Duration.TotalMilliseconds:0} ms", null, to)
            : tx.TryJournalOutcome(JournalOutcome.Failed, $"gate {failure!.Gate} failed: {failure.Reason}", null, to);
        if (!journaled)
        {
            return new OperationResult(ExitCode.Failed, $"validate {site.Name}: the verdict ({(report.Passed ? "passed" : "failed")}) is recorded in the state, but the journal could not record it; the next command will", null, report);
        }

        tx.Reached("outcome-journaled");
        if (report.Passed)
        {
            return new OperationResult(ExitCode.Done, $"{site.Name}: candidate {deployment.Version} on slot {slot.Name()} passed every gate", $"run ./run.sh apply {site.Name} to switch", report);
        }

        return new OperationResult(ExitCode.Failed, $"{site.Name}: candidate {deployment.Version} failed gate {failure!.Gate}: {failure.Reason}", $"fix it, then run ./run.sh validate {site.Name}; see {reportFile}", report);
    }

    /// <summary>A holder file that cannot be rewritten (full disk) must not stop TEST_CMD from being waited for.</summary>
    private void RecordChildGroup(SiteTransaction tx, int? pgid)
    {
        try
        {
            tx.Locks.SiteLock.RecordChildGroup(pgid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Reporter.Warn($"could not record TEST_CMD's process group in the lock's holder file ({e.Message})");
        }
    }

    private static OperationResult Fail(SiteTransaction tx, SlotVersion to, string message)
    {
        var journaled = tx.TryJournalOutcome(JournalOutcome.Failed, message, null, to);
        return new OperationResult(ExitCode.Failed, $"validate {tx.Site.Name} failed: {message}{(journaled ? "" : "; the journal could not record it: the next command will")}");
    }
}
