using BlueGreen.Core.Journal;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Journal;

namespace BlueGreen.Operations.Common;

/// <summary>The journal as the operations write it: actor and via filled in from the context.</summary>
internal sealed class OperationJournal(OperationContext context)
{
    private readonly JournalFile _file = new(context.Home, context.Clock);

    public JournalEntry Record(string? site, string action, string outcome, string message, SlotVersion? from = null, SlotVersion? to = null) =>
        _file.Append(new JournalEntry
        {
            Site = site,
            Action = action,
            Outcome = outcome,
            Actor = context.Actor,
            Via = context.Via,
            From = from,
            To = to,
            Message = message,
        });

    /// <summary>Journals without letting a journal failure hide the result being reported.</summary>
    public void TryRecord(string? site, string action, string outcome, string message, SlotVersion? from = null, SlotVersion? to = null)
    {
        try
        {
            Record(site, action, outcome, message, from, to);
        }
        catch (JournalWriteException e)
        {
            context.Reporter.Warn($"could not journal this {outcome} {action}: {e.Message}");
        }
    }
}
