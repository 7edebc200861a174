using BlueGreen.Infrastructure.Net;
using BlueGreen.Router;
using BlueGreen.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// PREVIEW_HEADER through the embedded router (issue 14, item 2): on the production host, a request with the header
/// reaches the candidate and one without it the live slot; after deploy and after apply the header follows the candidate.
/// </summary>
public sealed class PreviewHeaderTests : TwoSlotHomeTest
{
    private RunningRouter _router = null!;
    private HttpClient _client = null!;

    protected override async Task SetUpAsync()
    {
        _router = await EmbeddedRouter.StartAsync(new RouterOptions(Home.Path_("var", "routes"), "127.0.0.1:0", "127.0.0.1:0", AccessLog: false), NullLoggerFactory.Instance, CancellationToken.None);
        _client = HttpClients.Create(timeout: TimeSpan.FromSeconds(10));
        Home.WriteGlobal($"ROUTER_API={_router.ApiUrl}\nSWITCH_VERIFY_TIMEOUT=5\n");
        Home.AddSite("shop", A.Url, B.Url, "PREVIEW_HEADER=X-BlueGreen-Preview: 1\n");
    }

    protected override async Task TearDownAsync()
    {
        _client.Dispose();
        await _router.DisposeAsync();
    }

    private async Task<string> SlotAnswering(bool withHeader, string value = "1")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_router.ProxyUrl, "/page"));
        request.Headers.Host = "shop.example.com";
        if (withHeader)
        {
            request.Headers.Add("X-BlueGreen-Preview", value);
        }

        using var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body : $"HTTP {(int)response.StatusCode}";
    }

    /// <summary>Waits (deadline, no fixed sleep) until the router has loaded a routing file that answers as expected.</summary>
    private Task WaitUntil(bool withHeader, string expected) =>
        Poll.UntilAsync(async () => await SlotAnswering(withHeader) == expected, $"the router to answer '{expected}' (with header: {withHeader})");

    private async Task Succeeds(params string[] args)
    {
        var result = await Run(args);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task The_header_reaches_the_candidate_and_follows_it_after_deploy_and_apply()
    {
        await Succeeds("deploy", "shop", "--version", "v1");
        await WaitUntil(withHeader: true, "slot=a"); // never switched: only the header router exists
        Assert.Equal("HTTP 404", await SlotAnswering(withHeader: false));
        await Succeeds("validate", "shop");
        await Succeeds("apply", "shop", "--yes");
        await Succeeds("deploy", "shop", "--version", "v2");
        await WaitUntil(withHeader: true, "slot=b");

        Assert.Equal("slot=a", await SlotAnswering(withHeader: false));
        Assert.Equal("slot=a", await SlotAnswering(withHeader: true, value: "2")); // Traefik's Header matches the value exactly

        await Succeeds("validate", "shop");
        await Succeeds("apply", "shop", "--yes"); // verified through the router's API: it serves the new file now
        Assert.Equal("slot=b", await SlotAnswering(withHeader: false));
        Assert.Equal("slot=a", await SlotAnswering(withHeader: true));
        Assert.Empty(RoutingSchema.Validate(File.ReadAllText(Home.RoutingFile("shop"))));

        await Succeeds("deploy", "shop", "--version", "v3");
        await WaitUntil(withHeader: true, "slot=a");
        Assert.Equal("slot=b", await SlotAnswering(withHeader: false));
    }
}
