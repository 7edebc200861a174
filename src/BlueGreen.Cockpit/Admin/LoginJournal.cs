using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Journal;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Cockpit.Admin;

/// <summary>
/// Logins in the product's journal, through its one writer (<see cref="Data.CockpitSources.AppendToJournal"/>: the
/// journal file, or with etcd the journal there). The actor is the operating-system user running the cockpit, as for
/// any command; the message says where from.
/// </summary>
internal sealed class LoginJournal(Func<JournalEntry, JournalEntry> append, ILogger<LoginJournal> logger)
{
    public const string Action = "login";

    private const int MessageLimit = 200;

    public static string OsUser => $"{Environment.UserName}@{Environment.MachineName}";

    public void Failed(string from) =>
        Write(JournalOutcome.Failed, $"wrong admin token from {from}");

    public void Succeeded(string from, Session session) =>
        Write(JournalOutcome.Succeeded, $"admin session {session.Short} opened from {from}");

    private void Write(string outcome, string message)
    {
        var entry = new JournalEntry { Action = Action, Outcome = outcome, Actor = SafeText.Clean(OsUser, 100), Via = "cockpit", Message = SafeText.Clean(message, MessageLimit) };
        try
        {
            append(entry);
        }
        catch (Exception e) when (e is JournalWriteException or IOException or UnauthorizedAccessException or Infrastructure.Etcd.EtcdOutcomeUnknownException)
        {
            // The attempt was counted all the same; the operator learns from the log that it is not in the journal.
            Hosting.CockpitLog.LoginNotJournaled(logger, outcome, entry.Message, e.Message);
        }
    }
}
