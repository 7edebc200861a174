using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Core.Journal;
using BlueGreen.Core.Slots;
using BlueGreen.Operations.Tests.Support;

namespace BlueGreen.Operations.Tests;

/// <summary>validate in-process: the verdict is bound to the candidate's deployment, dated by the injected clock, and never half recorded.</summary>
public sealed class ValidateOperationTests : OperationTest
{
    [Fact]
    public async Task Validate_refuses_when_the_candidate_slot_holds_no_deployment()
    {
        var result = await Validate();

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("nothing to validate: candidate slot a holds no deployment", result.Message);
        var line = Assert.Single(Journal());
        Assert.Equal(("validate", JournalOutcome.Refused), (line.Action, line.Outcome));
    }

    [Fact]
    public async Task A_passing_validation_is_recorded_for_the_candidates_deployment_at_the_injected_time()
    {
        await Done(Deploy("v1"));
        Clock.Advance(TimeSpan.FromMinutes(7));

        var result = await Validate();

        AssertCode(ExitCode.Done, result);
        var state = State();
        var verdict = state.Validation!;
        Assert.True(verdict.Passed);
        Assert.Equal(state.DeploymentOn(Slot.A)!.Id, verdict.DeploymentId);
        Assert.Equal(Clock.GetUtcNow(), verdict.At);
        using var report = JsonDocument.Parse(File.ReadAllText(verdict.ReportFile));
        Assert.True(report.RootElement.GetProperty("passed").GetBoolean());
        var (started, outcome) = LastCommand("validate");
        Assert.Equal(("a", "v1"), (started.ToSlot, started.ToVersion));
        Assert.Equal(JournalOutcome.Succeeded, outcome.Outcome);
    }

    [Fact]
    public async Task A_failing_gate_records_a_failed_verdict_and_exits_1()
    {
        await Done(Deploy("v1"));
        A.HealthStatus = 500;

        var result = await Validate();

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("failed gate http", result.Message);
        var verdict = State().Validation!;
        Assert.False(verdict.Passed);
        Assert.Equal("http", verdict.FailedGate);
        Assert.True(File.Exists(verdict.ReportFile));
        Assert.Contains(Reporter.Warnings, w => w.StartsWith("FAIL  http", StringComparison.Ordinal));
        var (_, outcome) = LastCommand("validate");
        Assert.Equal(JournalOutcome.Failed, outcome.Outcome);
        Assert.StartsWith("gate http failed", outcome.Message);
    }

    [Fact]
    public async Task A_verdict_that_cannot_be_recorded_in_the_state_fails_and_journals_failed()
    {
        await Done(Deploy("v1"));
        Reporter.OnStep = step =>
        {
            if (step.StartsWith("validating ", StringComparison.Ordinal))
            {
                ReplaceStateFileWithFolder();
            }
        };

        var result = await Validate();

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("the verdict (passed) could not be recorded", result.Message);
        Assert.Contains("the earlier verdict stands", result.Message);
        Assert.Equal(JournalOutcome.Failed, LastCommand("validate").Outcome.Outcome);
    }

    [Fact]
    public async Task A_report_that_cannot_be_written_keeps_the_earlier_verdict()
    {
        await Done(Deploy("v1"));
        A.HealthStatus = 500;
        AssertCode(ExitCode.Failed, await Validate());
        var earlier = State().Validation;
        A.HealthStatus = 200;
        Directory.Delete(HomeDir.ValidationDir, recursive: true);
        File.WriteAllText(HomeDir.ValidationDir, ""); // the reports' folder is a file
        Clock.Advance(TimeSpan.FromMinutes(1));

        var result = await Validate();

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("the verdict (passed) could not be recorded", result.Message);
        Assert.Equal(earlier, State().Validation);
        Assert.Equal(JournalOutcome.Failed, LastCommand("validate").Outcome.Outcome);
        AssertCode(ExitCode.Refused, await Apply()); // the failed verdict still stands
    }

    [Fact]
    public async Task A_signal_while_the_gates_run_records_no_verdict()
    {
        WriteSite("TEST_CMD=exec sleep 300\n");
        await Done(Deploy("v1"));
        using var signal = new CancellationTokenSource();
        Reporter.OnStep = step =>
        {
            if (step.StartsWith("validating ", StringComparison.Ordinal))
            {
                signal.CancelAfter(TimeSpan.FromMilliseconds(100));
            }
        };

        // Real time: TEST_CMD's kill grace runs on the clock.
        var result = await Validate(signal.Token, clock: TimeProvider.System);

        AssertCode(ExitCode.Failed, result);
        Assert.Contains("interrupted by a signal while the gates ran; no verdict was recorded", result.Message);
        Assert.Null(State().Validation);
        Assert.Equal(JournalOutcome.Failed, LastCommand("validate").Outcome.Outcome);
    }

    [Fact]
    public async Task A_verdict_belongs_to_its_deployment_a_new_deploy_needs_a_new_validation()
    {
        await ReadyCandidate("v1");
        await Done(Deploy("v1-fix"));

        var result = await Apply();

        AssertCode(ExitCode.Refused, result);
        Assert.Contains("candidate v1-fix on slot a is not validated", result.Message);
    }

    [Fact]
    public async Task An_interrupted_validate_found_in_the_journal_is_journaled_interrupted_and_the_earlier_verdict_stands()
    {
        await ReadyCandidate("v1");
        var verdict = State().Validation;
        Clock.Advance(TimeSpan.FromSeconds(10)); // the interrupted run started after the recorded verdict
        var seq = JournalStartedWithoutOutcome("validate", null, new("a", "v1"));

        await Done(Apply());

        var resolved = Assert.Single(Journal(), l => l.Outcome == JournalOutcome.Interrupted);
        Assert.Equal((seq, "validate"), (resolved.Ref, resolved.Action));
        Assert.Contains("interrupted before its verdict: the earlier verdict (passed", resolved.Message);
        Assert.Equal(verdict, State().Validation);
        Assert.True(resolved.Seq < LastCommand("apply").Started.Seq);
    }
}
