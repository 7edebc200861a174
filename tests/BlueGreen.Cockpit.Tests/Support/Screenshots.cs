using BlueGreen.Testing;
using Microsoft.Playwright;

namespace BlueGreen.Cockpit.Tests.Support;

/// <summary>Full-page screenshots in artifacts/screenshots/ (gitignored), for people to look at.</summary>
public static class Screenshots
{
    public static string Dir => Path.Combine(RepoPaths.Root, "artifacts", "screenshots");

    public static async Task<string> TakeAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Dir);
        var path = Path.Combine(Dir, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }
}
