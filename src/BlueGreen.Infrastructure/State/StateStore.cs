using System.Text.Json;
using BlueGreen.Core;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Files;

namespace BlueGreen.Infrastructure.State;

/// <summary>A state file that exists but cannot be read: reported, never silently reset.</summary>
public sealed class CorruptStateException(string path, string reason)
    : Exception($"{path}: the state file is unreadable ({reason}); it was left as it is. Restore it from a backup or from the journal before going on.")
{
    public string Path { get; } = path;
}

/// <summary>var/state/SITE.json. Reading is public; writing belongs to the operations alone.</summary>
public sealed class StateStore(Home home, TimeProvider? clock = null)
{
    // Clocks of one host agree; this only absorbs the rounding of a time written a moment ago.
    private static readonly TimeSpan FutureTolerance = TimeSpan.FromSeconds(5);

    public SiteState Read(string site)
    {
        var path = home.StateFile(site);
        if (!Path.Exists(path))
        {
            return SiteState.Empty(site); // cheaper than the exception below, for the many sites never deployed
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return SiteState.Empty(site);
        }
        catch (DirectoryNotFoundException)
        {
            return SiteState.Empty(site);
        }

        if (text.Length == 0)
        {
            throw new CorruptStateException(path, "empty file");
        }

        try
        {
            var state = Json.Deserialize<SiteState>(text) ?? throw new CorruptStateException(path, "null document");
            if (state.Format > SiteState.CurrentFormat)
            {
                throw new CorruptStateException(path, $"it was written by a newer release (state format {state.Format}; this release reads formats up to {SiteState.CurrentFormat}): run that release, or restore the file from a backup");
            }

            if (state.Site != site)
            {
                throw new CorruptStateException(path, $"it describes site '{state.Site}'");
            }

            // A validation dated in the future would never grow older than VALIDATION_MAX_AGE.
            var now = (clock ?? TimeProvider.System).GetUtcNow();
            if (state.Validation is { } v && v.At > now + FutureTolerance)
            {
                throw new CorruptStateException(path, $"its validation is dated {v.At:yyyy-MM-ddTHH:mm:ssZ}, in the future");
            }

            return state;
        }
        catch (JsonException e)
        {
            throw new CorruptStateException(path, $"invalid JSON at line {(e.LineNumber ?? 0) + 1}: {e.Message}");
        }
    }

    internal SiteState Write(SiteState state, DateTimeOffset now)
    {
        var next = state with { Format = SiteState.CurrentFormat, Revision = state.Revision + 1, UpdatedAt = now };
        AtomicFile.Write(home.StateFile(state.Site), Json.Serialize(next, Json.Indented) + "\n");
        return next;
    }
}
