using BlueGreen.Core.Configuration;
using BlueGreen.Infrastructure;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Routing;
using BlueGreen.Infrastructure.State;
using BlueGreen.Infrastructure.Status;

namespace BlueGreen.Cockpit.Data;

/// <summary>The product's read-only sources the cockpit looks at. Nothing here writes, except the login journal note.</summary>
internal sealed class CockpitSources(Home home, GlobalConfig global, TimeProvider clock)
{
    public Home Home => home;

    public GlobalConfig Global => global;

    /// <summary>The journal's index and verified checkpoint stay in memory: a GET writes nothing.</summary>
    public JournalFile Journal { get; } = new(home, global, clock) { DerivedInMemory = true };

    /// <summary>One reader for the cockpit's life: it reuses each site's reading while the site's files are unchanged.</summary>
    public StatusReader StatusReader => field ??= new(home, global, Infrastructure.Net.HttpClients.Shared, Journal, reuseUnchanged: true);

    public StateStore States { get; } = new(home);

    public RoutingFiles Routing { get; } = new(home, global);
}
