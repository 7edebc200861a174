using System.Text.Json;
using System.Text.Json.Nodes;
using BlueGreen.Core;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Infrastructure.Etcd;
using BlueGreen.Infrastructure.Files;

namespace BlueGreen.Infrastructure.State;

/// <summary>A state file that exists but cannot be read: reported, never silently reset.</summary>
public sealed class CorruptStateException(string path, string reason)
    : Exception($"{path}: the state file is unreadable ({reason}); it was left as it is. Restore it from a backup or from the journal before going on.")
{
    public string Path { get; } = path;
}

/// <summary>
/// var/state/SITE.json, or with ROUTING_STORE=etcd the key ETCD_STATE_PREFIX/state/SITE (the same JSON) that every
/// host shares. Reading is public; writing belongs to the operations alone. In etcd a write happens only while
/// <paramref name="proofs"/> hold (the writer's locks are still its own).
/// </summary>
public sealed class StateStore(Home home, TimeProvider? clock = null, EtcdStore? etcd = null, IReadOnlyList<Etcdserverpb.Compare>? proofs = null)
{
    /// <summary>Where a site's state is kept, as messages name it.</summary>
    public string Where(string site) => etcd is null ? home.StateFile(site) : $"etcd key {etcd.StateKey(site)}";

    // Clocks of one host agree; this only absorbs the rounding of a time written a moment ago.
    private static readonly TimeSpan FutureTolerance = TimeSpan.FromSeconds(5);

    public SiteState Read(string site)
    {
        var path = Where(site);
        if (etcd is null && !Path.Exists(path))
        {
            return SiteState.Empty(site); // cheaper than the exception below, for the many sites never deployed
        }

        string text;
        try
        {
            if (etcd is not null)
            {
                // EtcdUnavailableException is an IOException: an unreachable cluster is reported like an unreadable disk.
                text = etcd.Get(etcd.StateKey(site))?.Value ?? throw new FileNotFoundException(path);
            }
            else
            {
                text = SmallFile.ReadAllText(path);
            }
        }
        catch (FileNotFoundException)
        {
            return SiteState.Empty(site);
        }
        catch (DirectoryNotFoundException)
        {
            return SiteState.Empty(site);
        }

        return Parse(site, text);
    }

    /// <summary>
    /// A site's state from its text as read from this store (status reads every site's key in one range read), checked
    /// as <see cref="Read"/> checks it. Null text: the site has none yet.
    /// </summary>
    /// <exception cref="CorruptStateException">The text is not a state this release can trust.</exception>
    public SiteState Parse(string site, string? text)
    {
        var path = Where(site);
        if (text is null)
        {
            return SiteState.Empty(site);
        }

        if (text.Length == 0)
        {
            throw new CorruptStateException(path, "empty file");
        }

        try
        {
            var state = ReadLayout(path, text) ?? throw new CorruptStateException(path, "null document");
            if (state.Format > SiteState.CurrentFormat)
            {
                throw Newer(path, state.Format);
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

            // A split is a step of `apply --weight`: 1–99 % to the candidate, with a live slot to share the rest.
            if (state.CandidateWeight is { } weight && (weight is < 1 or > 99 || state.Live is null))
            {
                throw new CorruptStateException(path, state.Live is null
                    ? $"it records a split (candidate_weight {weight}) but no live slot"
                    : $"candidate_weight {weight} is not a share of 1–99 %");
            }

            foreach (var slot in (Slot[])[Slot.A, Slot.B])
            {
                // A hand edit can leave out a slot's life or set it at odds with its phase; the operations trust both.
                if ((state.LifeOf(slot) is { } life ? life.Problem : "missing or null") is { } problem)
                {
                    throw new CorruptStateException(path, $"slot_{slot.Name()}: {problem}");
                }
            }

            return state;
        }
        catch (JsonException e)
        {
            throw new CorruptStateException(path, $"invalid JSON at line {(e.LineNumber ?? 0) + 1}: {e.Message}");
        }
    }

    /// <summary>
    /// A state file's text, typed. A file of an earlier format (its first reading says which) is read again, brought
    /// to the current layout first: the lines its errors name are then those of the upgraded text.
    /// </summary>
    private static SiteState? ReadLayout(string path, string text)
    {
        SiteState? state;
        try
        {
            state = Json.Deserialize<SiteState>(text);
        }
        catch (JsonException) when (FormatOf(text) is > SiteState.CurrentFormat and var format)
        {
            // A newer release's file may hold what this one cannot type (a phase it does not know): say so, not "invalid".
            throw Newer(path, format);
        }

        if (state is { Format: < 3 } && JsonNode.Parse(text) is JsonObject document)
        {
            StateLayout.Upgrade(document);
            return Json.Deserialize<SiteState>(document);
        }

        return state;
    }

    private static CorruptStateException Newer(string path, int format) =>
        new(path, $"it was written by a newer release (state format {format}; this release reads formats up to {SiteState.CurrentFormat}): run that release, or restore the file from a backup");

    /// <summary>The top-level "format" of a state's text; 0 when there is none or the text is not a JSON object.</summary>
    private static int FormatOf(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonObject { } document && document["format"] is JsonValue value && value.TryGetValue<int>(out var format) ? format : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Writes a state as it is, revision and time included (`store migrate` copies it from the other store). Its
    /// format is the current one: whatever format it was read from, it was upgraded on reading. Returns what was written.
    /// </summary>
    internal SiteState Copy(SiteState state)
    {
        var copy = state with { Format = SiteState.CurrentFormat };
        Put(state.Site, Json.Serialize(copy, Json.Indented) + "\n");
        return copy;
    }

    internal SiteState Write(SiteState state, DateTimeOffset now)
    {
        var next = state with { Format = SiteState.CurrentFormat, Revision = state.Revision + 1, UpdatedAt = now };
        Put(state.Site, Json.Serialize(next, Json.Indented) + "\n");
        return next;
    }

    private void Put(string site, string json)
    {
        if (etcd is null)
        {
            AtomicFile.Write(home.StateFile(site), json);
        }
        else if (!etcd.Transact(proofs ?? [], [EtcdStore.Put(etcd.StateKey(site), json)]))
        {
            throw new IOException($"{Where(site)}: not written: this command's lock lease expired (etcd was unreachable for too long?)");
        }
    }
}
