using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit;

namespace BlueGreen.Testing;

/// <summary>
/// A real web server program on 127.0.0.1 that answers GET / with its name: python's http.server
/// (HTTP/1.0, one connection per request), nginx (short keep-alive) or Node.js (keepAliveTimeout 500 ms).
/// Each runs from its own temp folder and is killed (with its children) on dispose.
/// </summary>
public sealed partial class ProcessBackend : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly string _dir;

    private ProcessBackend(string kind, string name, Process process, string dir, int port)
    {
        Kind = kind;
        Name = name;
        _process = process;
        _dir = dir;
        UrlText = $"http://127.0.0.1:{port}";
    }

    public string Kind { get; }

    public string Name { get; }

    /// <summary>Base URL without a trailing slash, as routing files hold it.</summary>
    public string UrlText { get; }

    /// <summary><c>python3 -m http.server</c> serving an index.html that holds the name.</summary>
    public static async Task<ProcessBackend> PythonHttpServerAsync(string name)
    {
        var python = Require("python3", "python3");
        var dir = NewFolder("python", name);
        await File.WriteAllTextAsync(Path.Combine(dir, "index.html"), name);
        var process = Start(python, ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir], dir);
        var port = await ReadPortAsync(process, PythonPort(), "python3 -m http.server");
        return new ProcessBackend("python", name, process, dir, port);
    }

    /// <summary>Node.js's http module with keepAliveTimeout 500 ms: it closes idle connections early.</summary>
    public static async Task<ProcessBackend> NodeAsync(string name)
    {
        var node = Require("node", "nodejs");
        var dir = NewFolder("node", name);
        var script = Path.Combine(dir, "server.js");
        await File.WriteAllTextAsync(script, """
            const http = require('http');
            const body = process.argv[2];
            const server = http.createServer((req, res) => {
              res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
              res.end(body);
            });
            server.keepAliveTimeout = 500;
            server.listen(0, '127.0.0.1', () => console.log('listening on port ' + server.address().port));
            """);
        var process = Start(node, [script, name], dir);
        var port = await ReadPortAsync(process, NodePort(), "node");
        return new ProcessBackend("node", name, process, dir, port);
    }

    /// <summary>nginx serving a static index.html with <c>keepalive_timeout 1s; keepalive_requests 5;</c>, in the foreground.</summary>
    public static async Task<ProcessBackend> NginxAsync(string name)
    {
        var nginx = Require("nginx", "nginx");
        // nginx cannot report a port it picked: take a free one and try again if another process wins it meanwhile.
        for (var attempt = 1; ; attempt++)
        {
            var dir = NewFolder("nginx", name);
            var www = Directory.CreateDirectory(Path.Combine(dir, "www")).FullName;
            await File.WriteAllTextAsync(Path.Combine(www, "index.html"), name);
            var port = FreePort();
            var user = Environment.UserName == "root" ? "user root;\n" : "";
            await File.WriteAllTextAsync(Path.Combine(dir, "nginx.conf"), $$"""
                {{user}}daemon off;
                worker_processes 1;
                pid {{dir}}/nginx.pid;
                error_log {{dir}}/error.log;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  keepalive_timeout 1s;
                  keepalive_requests 5;
                  client_body_temp_path {{dir}}/body;
                  proxy_temp_path {{dir}}/proxy;
                  fastcgi_temp_path {{dir}}/fastcgi;
                  uwsgi_temp_path {{dir}}/uwsgi;
                  scgi_temp_path {{dir}}/scgi;
                  server {
                    listen 127.0.0.1:{{port}};
                    root {{www}};
                  }
                }
                """);
            var process = Start(nginx, ["-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-e", Path.Combine(dir, "error.log")], dir);
            var backend = new ProcessBackend("nginx", name, process, dir, port);
            var error = await WaitListeningAsync(process, port);
            if (error is null)
            {
                return backend;
            }

            await backend.DisposeAsync();
            if (attempt == 3)
            {
                Assert.Fail($"nginx did not start on 127.0.0.1:{port}: {error}");
            }
        }
    }

    private static string Require(string program, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"]))
        {
            var path = Path.Combine(dir, program);
            if (File.Exists(path))
            {
                return path;
            }
        }

        // Never skipped: the backend matrix is the proof that the router survives real servers.
        Assert.Fail($"{program} is not installed; this test needs it as a real backend: apt-get install -y {package}");
        return null!;
    }

    private static string NewFolder(string kind, string name) =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "bg-backends", $"{kind}-{name}-{Guid.NewGuid():N}")).FullName;

    private static Process Start(string program, IEnumerable<string> args, string dir)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
    }

    /// <summary>Waits for the line announcing the port; keeps draining both pipes afterwards so the server never blocks on a full pipe.</summary>
    private static async Task<int> ReadPortAsync(Process process, Regex portLine, string what)
    {
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                if (output.Length < 4000)
                {
                    output.AppendLine(e.Data);
                }
            }

            if (portLine.Match(e.Data) is { Success: true } m)
            {
                port.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(StartDeadline);
        var first = await Task.WhenAny(port.Task, exited, Task.Delay(Timeout.Infinite, timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        if (first != port.Task)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            lock (output)
            {
                Assert.Fail($"{what} did not announce its port within {StartDeadline.TotalSeconds:0} s: {output}");
            }
        }

        return await port.Task;
    }

    /// <summary>Null once the port accepts connections; the reason otherwise.</summary>
    private static async Task<string?> WaitListeningAsync(Process process, int port)
    {
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var until = DateTime.UtcNow + StartDeadline;
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited)
            {
                lock (errors)
                {
                    return $"exited with {process.ExitCode}: {errors.ToString().Trim()}";
                }
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return null;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        return $"not listening after {StartDeadline.TotalSeconds:0} s";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"port (\d+)")]
    private static partial Regex PythonPort();

    [GeneratedRegex(@"listening on port (\d+)")]
    private static partial Regex NodePort();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
