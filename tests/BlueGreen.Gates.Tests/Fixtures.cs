using BlueGreen.Core.Configuration;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Validation;
using BlueGreen.Testing;

namespace BlueGreen.Gates.Tests;

/// <summary>A fresh directory under /tmp, deleted at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("bg-gates-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Candidates
{
    public static SiteConfig Site(Uri? slotB = null) => new()
    {
        Name = "shop",
        Rule = "Host(`shop.example.com`)",
        SlotAUrl = new Uri("http://127.0.0.1:1"),
        SlotBUrl = slotB ?? new Uri("http://127.0.0.1:2"),
        HealthTimeout = TimeSpan.FromSeconds(2),
    };

    public static Deployment Deployment(DateTimeOffset? at = null, LogMark? log = null) =>
        new("dep-1", "1.2.3", at ?? DateTimeOffset.UtcNow, "tester@host", log);

    /// <summary>The candidate is slot b at the site's slot B URL.</summary>
    public static CandidateView On(SiteConfig site, string home, Deployment? deployment = null) =>
        new(site, Slot.B, site.SlotBUrl, deployment ?? Deployment(), home);
}
