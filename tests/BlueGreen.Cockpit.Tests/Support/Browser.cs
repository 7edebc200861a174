using Microsoft.Playwright;

namespace BlueGreen.Cockpit.Tests.Support;

/// <summary>
/// The system's Chromium (Debian package, /usr/bin/chromium) driven by Playwright. No browser is
/// downloaded: Playwright's driver (node, shipped in the NuGet package under bin/.playwright) only
/// talks to the executable given here.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Instance => _browser ?? throw new InvalidOperationException("the browser did not start");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: install Debian's chromium (apt-get install -y chromium); the tests never download a browser");
        }

        _playwright = await Playwright.CreateAsync();
        // Playwright gives every launch a fresh, throw-away profile (it refuses --user-data-dir here).
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    /// <summary>A fresh context (own cookies) and page, sized like an operator's laptop screen.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Instance.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Browser>
{
    public const string Name = "browser";
}
