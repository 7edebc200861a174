// A tiny sample app for the demo and the tests: shows its version and slot, with a health endpoint.
// Usage: Hello --port N --version V --slot S
var options = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0].TrimStart('-'), p => p[1]);
var port = options.GetValueOrDefault("port", "7001");
var version = options.GetValueOrDefault("version", "dev");
var slot = options.GetValueOrDefault("slot", "?");

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();
app.MapGet("/health", () => Results.Text("ok"));
app.MapGet("/", () => Results.Text($"hello version={version} slot={slot}\n"));
app.MapGet("/{**path}", (string? path) => Results.Text($"hello version={version} slot={slot} path=/{path}\n"));
app.Run();
