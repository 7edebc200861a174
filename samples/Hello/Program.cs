// A tiny sample app for the demo and the tests: shows its version and slot, with a health endpoint.
// Usage: Hello --urls http://127.0.0.1:7001 --version v1 --slot a
var options = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0].TrimStart('-'), p => p[1]);
var urls = options.GetValueOrDefault("urls", "http://127.0.0.1:7001");
var version = options.GetValueOrDefault("version", "dev");
var slot = options.GetValueOrDefault("slot", "?");

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls(urls);
var app = builder.Build();
app.MapGet("/health", () => Results.Text("ok"));
app.MapGet("/{**path}", (string? path) => Results.Text($"hello from version={version} slot={slot}\n"));
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"{DateTime.UtcNow:O} INFO hello {version} started on {urls} (slot {slot})"));
app.Lifetime.ApplicationStopping.Register(() => Console.WriteLine($"{DateTime.UtcNow:O} INFO hello {version} stopping"));
app.Run();
