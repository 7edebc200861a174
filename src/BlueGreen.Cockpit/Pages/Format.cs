using System.Globalization;
using BlueGreen.Core.Journal;

namespace BlueGreen.Cockpit.Pages;

/// <summary>How times and outcomes read on the pages.</summary>
internal static class Format
{
    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var age = now - at;
        if (age < TimeSpan.Zero)
        {
            return "just now";
        }

        return age.TotalSeconds switch
        {
            < 5 => "just now",
            < 120 => $"{age.TotalSeconds:0}s ago",
            < 7200 => $"{age.TotalMinutes:0} min ago",
            < 172800 => $"{age.TotalHours:0} h ago",
            _ => $"{age.TotalDays:0} days ago",
        };
    }

    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan d) => d.TotalSeconds < 1 ? $"{d.TotalMilliseconds:0} ms" : $"{d.TotalSeconds:0.0} s";

    /// <summary>The colour class of a journal outcome: red for failures, amber for refusals.</summary>
    public static string OutcomeClass(string outcome) => outcome switch
    {
        JournalOutcome.Succeeded => "ok",
        JournalOutcome.Failed => "bad",
        JournalOutcome.Refused => "warn",
        JournalOutcome.DryRun => "muted",
        _ => "neutral",
    };

    public static string HealthClass(string? health) => health is null ? "muted" : health == "up" ? "ok" : "bad";
}
