using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BlueGreen.Core.Configuration;
using BlueGreen.Core.Slots;
using BlueGreen.Core.State;
using BlueGreen.Core.Validation;
using BlueGreen.Gates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

// Validation benchmark: a site with four real gates, each made to take about one second
// (HTTP: the slot answers after 1 s; TEST_CMD: sleep 1; LOG: a log sized to scan in ~1 s;
// TCP: a listener whose accept queue is full, so the SYN is retried after Linux's 1 s RTO).
// Prints every gate's duration, their sum, the slowest and the total of the concurrent run.
var rounds = args.Length > 0 ? int.Parse(args[0]) : 3;
var home = Directory.CreateTempSubdirectory("bg-bench-").FullName;
try
{
    await using var slot = await StartSlotAsync(TimeSpan.FromSeconds(1));
    using var tcp = new SlowTcpEndpoint();
    var logFile = Path.Combine(home, "app-b.log");
    var mark = LogMarker.Capture(logFile, DateTimeOffset.UtcNow);
    var logMb = await CalibrateLogAsync(logFile, mark, TimeSpan.FromSeconds(1));

    var site = new SiteConfig
    {
        Name = "bench",
        Rule = "Host(`bench.local`)",
        SlotAUrl = new Uri("http://127.0.0.1:1"),
        SlotBUrl = slot.Url,
        HealthPath = "/health",
        HealthTimeout = TimeSpan.FromSeconds(5),
        HealthRetries = 1,
        TcpChecks = [tcp.Endpoint],
        LogFile = Path.Combine(home, "app-{slot}.log"),
        LogMaxErrors = int.MaxValue,
        TestCmd = "sleep 1",
    };
    var deployment = new Deployment("bench-1", "1.0.0", DateTimeOffset.UtcNow, "bench", mark);
    var candidate = new CandidateView(site, Slot.B, slot.Url, deployment, home);
    using var http = new HttpClient();
    var runner = GateRunner.ForValidation(http, TimeProvider.System);

    Console.WriteLine($"validation bench: 4 gates (http, tcp, log over {logMb} MB, tests), {rounds} round(s), {Environment.ProcessorCount} CPU(s)");
    for (var round = 1; round <= rounds; round++)
    {
        var draining = tcp.Arm();
        var clock = Stopwatch.StartNew();
        var report = await runner.RunAsync(candidate);
        clock.Stop();
        await draining;
        var gates = string.Join("  ", report.Gates.Select(g => $"{g.Gate}={g.Duration.TotalSeconds:0.00}s{(g.Passed ? "" : "(FAILED)")}"));
        var sum = report.Gates.Sum(g => g.Duration.TotalSeconds);
        var slowest = report.Gates.Max(g => g.Duration.TotalSeconds);
        Console.WriteLine($"round {round}: {gates} | sum {sum:0.00}s  slowest {slowest:0.00}s  total {clock.Elapsed.TotalSeconds:0.00}s  (total/slowest {clock.Elapsed.TotalSeconds / slowest:0.00})");
    }
}
finally
{
    Directory.Delete(home, recursive: true);
}

static async Task<SlotApp> StartSlotAsync(TimeSpan delay)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    var app = builder.Build();
    app.Run(async context =>
    {
        await Task.Delay(delay);
        await context.Response.WriteAsync("ok");
    });
    await app.StartAsync();
    return new SlotApp(app, new Uri(app.Urls.First()));
}

// Writes log lines after the mark until one scan takes about `target`; returns the size in MB.
static async Task<long> CalibrateLogAsync(string path, LogMark mark, TimeSpan target)
{
    var line = "2026-01-01T00:00:00Z INFO request served in 12 ms path=/products/42 user=anonymous status=200\n";
    using (var writer = new StreamWriter(path, append: true))
    {
        for (var i = 0; i < 100_000; i++)
        {
            writer.Write(line);
        }
    }

    var site = new SiteConfig { Name = "c", Rule = "Host(`c`)", SlotAUrl = new Uri("http://127.0.0.1:1"), SlotBUrl = new Uri("http://127.0.0.1:2"), LogFile = path };
    var deployment = new Deployment("c", "c", DateTimeOffset.UtcNow, "c", mark);
    var sample = new CandidateView(site, Slot.B, site.SlotBUrl, deployment, Path.GetDirectoryName(path)!);
    var clock = Stopwatch.StartNew();
    await new LogGate().RunAsync(sample, CancellationToken.None);
    var factor = Math.Clamp(target / clock.Elapsed, 1, 200);
    var content = File.ReadAllText(path);
    using (var writer = new StreamWriter(path, append: true))
    {
        for (var i = 1; i < (int)factor; i++)
        {
            writer.Write(content);
        }
    }

    return new FileInfo(path).Length / 1_000_000;
}

internal sealed record SlotApp(WebApplication App, Uri Url) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>
/// A TCP endpoint that accepts about a second late: its accept queue (backlog 1) is filled, so the gate's SYN
/// is dropped; 0.5 s later the queue is drained, and the kernel's SYN retry (after 1 s) connects.
/// </summary>
internal sealed class SlowTcpEndpoint : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = [];

    public SlowTcpEndpoint()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        Endpoint = new TcpEndpoint("127.0.0.1", ((IPEndPoint)_listener.LocalEndPoint!).Port);
    }

    public TcpEndpoint Endpoint { get; }

    /// <summary>Fills the accept queue now and drains it half a second later; the task ends once it is empty.</summary>
    public Task Arm()
    {
        for (var i = 0; i < 2; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            filler.Connect(IPAddress.Loopback, Endpoint.Port);
            _fillers.Add(filler);
        }

        return Task.Run(async () =>
        {
            await Task.Delay(500);
            while (true)
            {
                // The gate's retried SYN lands about 1 s after it started: wait for it, then stop.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
                try
                {
                    (await _listener.AcceptAsync(cts.Token)).Dispose();
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public void Dispose()
    {
        _fillers.ForEach(f => f.Dispose());
        _listener.Dispose();
    }
}
