using BlueGreen.Core.Journal;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Journal;

namespace BlueGreen.Operations.Common;

/// <summary>The journal as the operations write it: actor, via and session filled in from the context.</summary>
internal sealed class OperationJournal(OperationContext context)
{
    private readonly JournalFile _file = new(context.Home, context.Global, context.Clock);

    public JournalFile File => _file;

    public JournalEntry Record(string? site, string action, string outcome, string message, SlotVersion? from = null, SlotVersion? to = null, long? closes = null) =>
        _file.Append(new JournalEntry
        {
            Site = site,
            Action = action,
            Outcome = outcome,
            Actor = context.Actor,
            Via = context.Via,
            Session = context.Session,
            From = from,
            To = to,
            Message = message,
            Ref = closes,
        });

    /// <summary>Journals without letting a journal failure hide the result being reported. False when it could not.</summary>
    public bool TryRecord(string? site, string action, string outcome, string message, SlotVersion? from = null, SlotVersion? to = null, long? closes = null)
    {
        try
        {
            Record(site, action, outcome, message, from, to, closes);
            return true;
        }
        catch (JournalWriteException e)
        {
            context.Reporter.Warn($"could not journal this {outcome} {action}: {e.Message}");
            return false;
        }
    }
}
