using BlueGreen.Core.Slots;
using BlueGreen.Core.Validation;

namespace BlueGreen.Gates;

/// <summary>
/// Runs every applicable gate against a candidate, all at once (they are independent, so a validation
/// lasts about as long as its slowest gate), and gathers the verdicts into a report. It is given only a
/// <see cref="CandidateView"/>: no store or writer, so validating can never switch anything.
/// </summary>
public sealed class GateRunner(IReadOnlyList<IGate> gates, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>
    /// The product's gates, the one list `validate` runs: HTTP (always), TCP, log and tests (when configured).
    /// <paramref name="onTestStarted"/> gets the test command's process group as soon as it runs.
    /// </summary>
    public static GateRunner ForValidation(HttpClient http, TimeProvider time, Action<int?>? onTestStarted = null) => new(
        [new HttpGate(http, time), new TcpGate(time), new LogGate(time), new TestCommandGate(timeProvider: time, onStarted: onTestStarted)],
        time);

    public IReadOnlyList<IGate> Gates => gates;

    public async Task<ValidationReport> RunAsync(CandidateView candidate, CancellationToken cancellationToken = default)
    {
        var startedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        var applicable = gates.Where(g => g.AppliesTo(candidate.Site)).ToList();
        // Task.Run: a gate that does blocking work before its first await must not delay the others.
        var results = await Task.WhenAll(applicable.Select(g => Task.Run(() => RunOneAsync(g, candidate, cancellationToken), CancellationToken.None))).ConfigureAwait(false);
        return new ValidationReport(
            candidate.Site.Name,
            candidate.Deployment.Id,
            candidate.Deployment.Version,
            candidate.Slot.Name(),
            startedAt,
            _time.GetElapsedTime(started),
            results.Length > 0 && results.All(r => r.Passed),
            results);
    }

    /// <summary>A gate that throws fails with the error as its reason; it never takes the validation down.</summary>
    private async Task<GateResult> RunOneAsync(IGate gate, CandidateView candidate, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            return await gate.RunAsync(candidate, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new GateResult(gate.Name, false, _time.GetElapsedTime(started), "canceled");
        }
        catch (Exception e)
        {
            return new GateResult(gate.Name, false, _time.GetElapsedTime(started), $"the gate failed to run: {e.GetType().Name}: {e.Message}");
        }
    }
}
