using BlueGreen.Core.Slots;
using BlueGreen.Core.State;

namespace BlueGreen.Infrastructure.Processes;

/// <summary>The variables the configured commands receive (docs/reference.md, "Command environment"), built without side effects.</summary>
public static class CommandEnvironment
{
    /// <summary>
    /// BG_SITE, BG_SLOT, BG_SLOT_URL, BG_VERSION, BG_HOME (+ BG_DEPLOYMENT_ID when known); with
    /// <paramref name="targetUrl"/> (TEST_CMD) also BG_TARGET_URL.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Build(
        string site,
        Slot slot,
        Uri slotUrl,
        string version,
        string home,
        Uri? targetUrl = null,
        string? deploymentId = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["BG_SITE"] = site,
            ["BG_SLOT"] = slot.Name(),
            ["BG_SLOT_URL"] = TrimSlash(slotUrl),
            ["BG_VERSION"] = version,
            ["BG_HOME"] = home,
        };
        if (targetUrl is not null)
        {
            env["BG_TARGET_URL"] = TrimSlash(targetUrl);
        }

        if (deploymentId is not null)
        {
            env["BG_DEPLOYMENT_ID"] = deploymentId;
        }

        return env;
    }

    /// <summary>
    /// What PRE_SWITCH_CMD and POST_SWITCH_CMD receive: BG_SITE, BG_ACTION, BG_FROM_SLOT, BG_FROM_VERSION, BG_TO_SLOT,
    /// BG_TO_VERSION, BG_ACTOR, BG_HOME. Every one is set, empty when unknown (a first switch has no "from"), so
    /// that a hook under `set -u` does not need a case for it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ForSwitch(string site, string action, SlotVersion? from, SlotVersion to, string actor, string home) =>
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["BG_SITE"] = site,
            ["BG_ACTION"] = action,
            ["BG_FROM_SLOT"] = from?.Slot ?? "",
            ["BG_FROM_VERSION"] = from?.Version ?? "",
            ["BG_TO_SLOT"] = to.Slot,
            ["BG_TO_VERSION"] = to.Version ?? "",
            ["BG_ACTOR"] = actor,
            ["BG_HOME"] = home,
        };

    // "$BG_TARGET_URL/health" must not become "//health".
    private static string TrimSlash(Uri url) => url.AbsoluteUri.TrimEnd('/');
}
