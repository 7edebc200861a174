using System.Net;
using System.Text.Json.Nodes;
using BlueGreen.Testing;

namespace BlueGreen.Router.Tests.Support;

/// <summary>A real embedded router on 127.0.0.1:0 over a temp routes folder, with clients for its proxy and API.</summary>
public sealed class RouterHarness : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private RouterHarness(string dir, RunningRouter router, LogCapture log)
    {
        RoutesDir = dir;
        Router = router;
        Log = log;
        Proxy = new HttpClient { BaseAddress = router.ProxyUrl, Timeout = TimeSpan.FromSeconds(30) };
        Api = new HttpClient { BaseAddress = router.ApiUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string RoutesDir { get; }

    public RunningRouter Router { get; }

    public LogCapture Log { get; }

    public HttpClient Proxy { get; }

    public HttpClient Api { get; }

    /// <summary>Starts a router over a fresh temp folder holding the given files (name → YAML).</summary>
    public static async Task<RouterHarness> StartAsync(IReadOnlyDictionary<string, string>? files = null, bool accessLog = false)
    {
        var dir = Path.Combine(Path.GetTempPath(), "bg-router-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var (name, text) in files ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(Path.Combine(dir, name), text);
        }

        var log = new LogCapture();
        var router = await EmbeddedRouter.StartAsync(new RouterOptions(dir, "127.0.0.1:0", "127.0.0.1:0", accessLog), log.Factory, CancellationToken.None);
        return new RouterHarness(dir, router, log);
    }

    /// <summary>Starts a router that reads its routing from etcd under <paramref name="rootKey"/> (ROUTING_STORE=etcd).</summary>
    public static async Task<RouterHarness> StartEtcdAsync(IReadOnlyList<string> endpoints, string rootKey = "traefik")
    {
        var dir = Path.Combine(Path.GetTempPath(), "bg-router-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var log = new LogCapture();
        var options = new RouterOptions(dir, "127.0.0.1:0", "127.0.0.1:0", AccessLog: false) { EtcdEndpoints = endpoints, EtcdPrefix = rootKey };
        var router = await EmbeddedRouter.StartAsync(options, log.Factory, CancellationToken.None);
        return new RouterHarness(dir, router, log);
    }

    /// <summary>Writes a file the way the product does: temp file in .bluegreen-tmp/, flush, rename over the target.</summary>
    public async Task WriteAtomicAsync(string name, string text)
    {
        var tmpDir = Path.Combine(RoutesDir, ".bluegreen-tmp");
        Directory.CreateDirectory(tmpDir);
        var tmp = Path.Combine(tmpDir, name + "." + Guid.NewGuid().ToString("N") + ".tmp");
        await using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
        {
            await using var writer = new StreamWriter(stream);
            await writer.WriteAsync(text);
            await writer.FlushAsync();
            stream.Flush(flushToDisk: true);
        }

        File.Move(tmp, Path.Combine(RoutesDir, name), overwrite: true);
    }

    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(string host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        var response = await Proxy.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public async Task<JsonNode?> ApiJsonAsync(string path)
    {
        using var response = await Api.GetAsync(path);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
    }

    /// <summary>Polls until the condition holds; fails the test after the deadline (<see cref="Poll"/>, with this harness's deadline).</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null) =>
        Poll.UntilAsync(condition, what, deadline ?? Deadline);

    public async ValueTask DisposeAsync()
    {
        Proxy.Dispose();
        Api.Dispose();
        await Router.DisposeAsync();
        try
        {
            Directory.Delete(RoutesDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
