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
        return UnderLocks.RunAsync(context, _journal, "validate", site, switchLock: false, config => ValidateUnderLockAsync(config, ct));
    }

    private async Task<OperationResult> ValidateUnderLockAsync(SiteConfig site, CancellationToken ct)
    {
        var store = new StateStore(context.Home);
        var state = store.Read(site.Name);
        var slot = state.CandidateSlot;
        if (state.Candidate is not { } deployment)
        {
            var reason = $"nothing to validate: candidate slot {slot.Name()} holds no deployment";
            _journal.Record(site.Name, "validate", JournalOutcome.Refused, reason);
            return new OperationResult(ExitCode.Refused, $"validate {site.Name} refused: {reason}", $"run ./run.sh deploy {site.Name} --version VERSION");
        }

        var to = SlotVersion.Of(slot, deployment);
        _journal.Record(site.Name, "validate", JournalOutcome.Started, $"validating {deployment.Version} on candidate slot {slot.Name()}", null, to);
        var runner = new GateRunner([new HttpGate(http, context.Clock), new TcpGate(context.Clock), new LogGate(context.Clock), new TestCommandGate(timeProvider: context.Clock)], context.Clock);
        context.Reporter.Step($"validating {deployment.Version} on candidate slot {slot.Name()} ({site.UrlOf(slot)})");
        var report = await runner.RunAsync(new CandidateView(site, slot, site.UrlOf(slot), deployment, context.Home.Root), ct);

        var reportFile = Path.Combine(context.Home.ValidationDir, $"{site.Name}-{deployment.Id}-{report.StartedAt.UtcDateTime:yyyyMMdd'T'HHmmss.fff'Z'}.json");
        AtomicFile.Write(reportFile, JsonSerializer.Serialize(report, Json.Indented) + "\n");
        var failure = report.FirstFailure;
        var summary = new ValidationSummary(deployment.Id, report.Passed, report.StartedAt, failure?.Gate, failure?.Reason, reportFile);
        store.Write(state with { Validation = summary }, context.Clock.GetUtcNow());

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

        if (report.Passed)
        {
            _journal.Record(site.Name, "validate", JournalOutcome.Succeeded, $"{deployment.Version} passed {report.Gates.Count} gate(s) in {report.Duration.TotalMilliseconds:0} ms", null, to);
            return new OperationResult(ExitCode.Done, $"{site.Name}: candidate {deployment.Version} on slot {slot.Name()} passed every gate", $"run ./run.sh apply {site.Name} to switch", report);
        }

        _journal.Record(site.Name, "validate", JournalOutcome.Failed, $"gate {failure!.Gate} failed: {failure.Reason}", null, to);
        return new OperationResult(ExitCode.Failed, $"{site.Name}: candidate {deployment.Version} failed gate {failure.Gate}: {failure.Reason}", $"fix it, then run ./run.sh validate {site.Name}; see {reportFile}", report);
    }
}
