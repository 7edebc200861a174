// Bench host for bench/router.sh.
//   RouterBench serve --routes DIR --listen HOST:PORT [--api HOST:PORT]
//   RouterBench switch --routes DIR --proxy URL --a URL --b URL [--count 50]
//     flips bluegreen-bench.yml between the slots (temp file in .bluegreen-tmp/, then rename) and measures
//     the time from the rename to the first response from the new slot, polling through the router.
using System.Diagnostics;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Router;
using Microsoft.Extensions.Logging;

var options = args.Skip(1).Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0].TrimStart('-'), p => p[1]);
string Opt(string name) => options.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

switch (args.FirstOrDefault())
{
    case "serve":
        using (var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).AddFilter("Microsoft", LogLevel.Warning)))
        await using (var router = await EmbeddedRouter.StartAsync(new RouterOptions(Opt("routes"), Opt("listen"), options.GetValueOrDefault("api"), false), loggers, CancellationToken.None))
        {
            await router.WaitForShutdownAsync();
            await router.StopAsync();
        }

        return 0;
    case "switch":
        return await SwitchLatency.RunAsync(Opt("routes"), new Uri(Opt("proxy")), Opt("a"), Opt("b"), int.Parse(options.GetValueOrDefault("count", "50")));
    default:
        Console.Error.WriteLine("usage: RouterBench serve|switch ...");
        return 2;
}

internal static class SwitchLatency
{
    public static async Task<int> RunAsync(string routes, Uri proxy, string urlA, string urlB, int count)
    {
        var (site, errors) = SiteConfig.Parse("bench.conf", "bench", $"RULE=Host(`bench.test`)\nSLOT_A_URL={urlA}\nSLOT_B_URL={urlB}\n");
        if (site is null)
        {
            Console.Error.WriteLine(string.Join("; ", errors));
            return 2;
        }

        var file = Path.Combine(routes, RoutingPlanner.FileName("bench"));
        using var client = new HttpClient { BaseAddress = proxy };
        var slot = Slot.A;
        await WriteAtomicAsync(routes, file, RoutingPlanner.Render(site, slot, slot.Other(), "bench"));
        if (count == 0)
        {
            return 0; // only writes the initial file (slot a live)
        }

        await WaitForSlotAsync(client, slot, TimeSpan.FromSeconds(10));
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(150);
            slot = slot.Other();
            var text = RoutingPlanner.Render(site, slot, slot.Other(), "bench");
            var renamed = await WriteAtomicAsync(routes, file, text);
            await WaitForSlotAsync(client, slot, TimeSpan.FromSeconds(10));
            times.Add(Stopwatch.GetElapsedTime(renamed).TotalMilliseconds);
        }

        times.Sort();
        double P(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
        Console.WriteLine($"switch_p50_ms={P(0.50):F1} switch_p99_ms={P(0.99):F1} switch_max_ms={times[^1]:F1} switches={times.Count}");
        return 0;
    }

    /// <returns>The timestamp right after the rename.</returns>
    private static async Task<long> WriteAtomicAsync(string routes, string file, string text)
    {
        var tmpDir = Path.Combine(routes, ".bluegreen-tmp");
        Directory.CreateDirectory(tmpDir);
        var tmp = Path.Combine(tmpDir, Path.GetFileName(file) + ".tmp");
        await using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            await using var writer = new StreamWriter(stream);
            await writer.WriteAsync(text);
            await writer.FlushAsync();
            stream.Flush(flushToDisk: true);
        }

        File.Move(tmp, file, overwrite: true);
        return Stopwatch.GetTimestamp();
    }

    private static async Task WaitForSlotAsync(HttpClient client, Slot slot, TimeSpan timeout)
    {
        var until = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var expected = $"slot={slot.Name()}";
        while (Stopwatch.GetTimestamp() < until)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Host = "bench.test";
            using var response = await client.SendAsync(request);
            if ((await response.Content.ReadAsStringAsync()).Contains(expected, StringComparison.Ordinal))
            {
                return;
            }
        }

        throw new TimeoutException($"slot {slot.Name()} never answered");
    }
}
