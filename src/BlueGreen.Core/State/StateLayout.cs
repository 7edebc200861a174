using System.Text.Json.Nodes;

namespace BlueGreen.Core.State;

/// <summary>
/// Earlier state layouts, read by this release: a file's JSON is brought to <see cref="SiteState.CurrentFormat"/>
/// before it is typed, so that <see cref="SiteState"/> knows one layout only.
/// </summary>
public static class StateLayout
{
    /// <summary>
    /// Brings a document of format 0–2 to format 3, in place: a slot's deployment (slot_a, slot_b) becomes a
    /// deployed slot's life, no deployment (absent or null) an empty one, written out (format 3 names both slots).
    /// A value that is not an object is left for the typed read to refuse.
    /// </summary>
    public static void Upgrade(JsonObject document)
    {
        foreach (var name in (string[])["slot_a", "slot_b"])
        {
            if (!document.TryGetPropertyValue(name, out var slot) || slot is null)
            {
                document[name] = new JsonObject { ["phase"] = "empty" };
            }
            else if (slot is JsonObject deployment)
            {
                document[name] = new JsonObject { ["phase"] = "deployed", ["deployment"] = deployment.DeepClone() };
            }
        }
    }
}
