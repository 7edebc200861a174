using BlueGreen.Core;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Configuration;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Locking;
using BlueGreen.Infrastructure.State;

namespace BlueGreen.Operations.Common;

/// <summary>
/// The frame every site operation runs in: its configuration (bad: exit 2), its locks (held: exit 4,
/// journaled), and the failures that must stop it cleanly (journal not writable, state unreadable).
/// </summary>
internal static class UnderLocks
{
    public static async Task<OperationResult> RunAsync(
        OperationContext context,
        OperationJournal journal,
        string action,
        string site,
        bool switchLock,
        Func<SiteConfig, Task<OperationResult>> body)
    {
        var (config, errors) = ConfigLoader.LoadSite(context.Home, site, context.Global);
        if (config is null)
        {
            return new OperationResult(ExitCode.Usage, string.Join("\n", errors.Where(e => !e.IsWarning)), "run ./run.sh config check");
        }

        try
        {
            using var locks = SiteLocks.Take(context, journal, site, switchLock);
            return await body(config);
        }
        catch (LockBusyException busy)
        {
            journal.TryRecord(site, action, JournalOutcome.Refused, busy.Message);
            return new OperationResult(ExitCode.Locked, $"{action} {site} refused: {busy.Message}", "wait for it to finish, then try again");
        }
        catch (JournalWriteException e)
        {
            return new OperationResult(ExitCode.Failed, $"{action} {site} failed: {e.Message}", "nothing was changed: repair the journal first (./run.sh journal verify)");
        }
        catch (CorruptStateException e)
        {
            journal.TryRecord(site, action, JournalOutcome.Failed, e.Message);
            return new OperationResult(ExitCode.Failed, e.Message);
        }
    }
}
