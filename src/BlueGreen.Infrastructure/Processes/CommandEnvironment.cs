using BlueGreen.Core.Slots;

namespace BlueGreen.Infrastructure.Processes;

/// <summary>The variables DEPLOY_CMD and TEST_CMD receive (docs/reference.md, "Command environment"), built without side effects.</summary>
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

    // "$BG_TARGET_URL/health" must not become "//health".
    private static string TrimSlash(Uri url) => url.AbsoluteUri.TrimEnd('/');
}
