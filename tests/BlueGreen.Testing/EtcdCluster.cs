using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace BlueGreen.Testing;

/// <summary>
/// A real etcd cluster (Debian's etcd-server) on loopback for one test: ports chosen at run time (never 2379/2380),
/// data on tmpfs (/dev/shm: each member preallocates ~120 MB of WAL), fast elections
/// (--heartbeat-interval 50 --election-timeout 500), healthy before the constructor returns (a deadline, no fixed
/// sleep), and every member stopped with SIGKILL on Dispose (the last member can hang on SIGTERM).
/// </summary>
public sealed class EtcdCluster : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    private readonly List<Member> _members = [];
    private readonly string _initialCluster = "";

    public EtcdCluster(int size = 3)
    {
        Dir = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "bg-etcd-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Dir);
        try
        {
            // Ports are picked by binding port 0 and letting go; etcd binds them a moment later (a clash shows as a failed start).
            var ports = FreePorts(size * 2);
            for (var i = 0; i < size; i++)
            {
                _members.Add(new Member($"m{i}", ports[2 * i], ports[2 * i + 1], Path.Combine(Dir, $"m{i}")));
            }

            _initialCluster = string.Join(',', _members.Select(m => $"{m.Name}={m.PeerUrl}"));
            foreach (var member in _members)
            {
                Start(member, _initialCluster, "new", Path.GetFileName(Dir));
            }

            WaitHealthy(StartDeadline);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Where the members keep their data (on tmpfs when there is one).</summary>
    public string Dir { get; }

    /// <summary>Comma-separated client URLs, as ETCD_ENDPOINTS takes them.</summary>
    public string Endpoints => string.Join(',', _members.Select(m => m.ClientUrl));

    public IReadOnlyList<string> ClientUrls => _members.Select(m => m.ClientUrl).ToList();

    /// <summary>True when Debian's etcd-server and etcd-client are installed; the tests say which packages otherwise.</summary>
    public static bool Installed => File.Exists("/usr/bin/etcd") && File.Exists("/usr/bin/etcdctl");

    public const string MissingPackages = "etcd is not installed: apt-get install etcd-server etcd-client (Debian)";

    /// <summary>A fresh cluster, or a failed test naming the packages to install.</summary>
    public static EtcdCluster Start(int size = 3) => Installed ? new EtcdCluster(size) : throw new InvalidOperationException(MissingPackages);

    /// <summary>Runs etcdctl (API v3) against the cluster; throws with its stderr when it fails.</summary>
    public string Ctl(params string[] args)
    {
        var (code, stdout, stderr) = RunCtl(Endpoints, args);
        return code == 0 ? stdout : throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} exited {code}: {stderr.Trim()}");
    }

    /// <summary>Every key under a prefix with its value, read with etcdctl (the tool an operator would use).</summary>
    public IReadOnlyDictionary<string, string> ReadPrefix(string prefix)
    {
        var lines = Ctl("get", prefix, "--prefix").Split('\n');
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        // etcdctl prints key and value on alternate lines (values here are one line each).
        for (var i = 0; i + 1 < lines.Length; i += 2)
        {
            result[lines[i]] = lines[i + 1];
        }

        return result;
    }

    /// <summary>Kills every member (SIGKILL) and waits until they are gone: the cluster is unreachable afterwards.</summary>
    public void KillAll()
    {
        foreach (var member in _members)
        {
            member.Kill();
        }
    }

    /// <summary>Kills one member (SIGKILL); the others go on (a quorum of 3 survives one loss).</summary>
    public void Kill(int member) => _members[member].Kill();

    /// <summary>Starts one killed member again on its data and ports; it catches up from the others.</summary>
    public void Restart(int member)
    {
        if (_members[member].Process is null)
        {
            Start(_members[member], _initialCluster, "existing", Path.GetFileName(Dir));
        }
    }

    /// <summary>Starts every killed member again on its data (the cluster keeps its revisions) and waits until it is healthy.</summary>
    public void RestartAll()
    {
        for (var i = 0; i < _members.Count; i++)
        {
            Restart(i);
        }

        WaitHealthy(StartDeadline);
    }

    public void Dispose()
    {
        KillAll();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (int Code, string Stdout, string Stderr) RunCtl(string endpoints, string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/etcdctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ETCDCTL_API"] = "3";
        start.ArgumentList.Add($"--endpoints={endpoints}");
        start.ArgumentList.Add("--dial-timeout=2s");
        start.ArgumentList.Add("--command-timeout=5s");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    private static void Start(Member member, string initialCluster, string state, string token)
    {
        Directory.CreateDirectory(member.DataDir);
        var start = new ProcessStartInfo("/usr/bin/etcd") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     "--name", member.Name, "--data-dir", member.DataDir,
                     "--listen-client-urls", member.ClientUrl, "--advertise-client-urls", member.ClientUrl,
                     "--listen-peer-urls", member.PeerUrl, "--initial-advertise-peer-urls", member.PeerUrl,
                     "--initial-cluster", initialCluster, "--initial-cluster-state", state, "--initial-cluster-token", token,
                     "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "error",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        // Debian's package may set ETCD_* defaults for the system etcd: none may leak into a test member.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ETCD_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        var process = Process.Start(start)!;
        member.Process = process;
        // Drained so that a chatty member never blocks on a full pipe; the tail is kept for a failed start.
        process.OutputDataReceived += (_, e) => member.Log(e.Data);
        process.ErrorDataReceived += (_, e) => member.Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void WaitHealthy(TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < deadline)
        {
            if (_members.FirstOrDefault(m => m.Process?.HasExited == true) is { } dead)
            {
                throw new InvalidOperationException($"etcd member {dead.Name} exited {dead.Process!.ExitCode} at start: {dead.Tail()}");
            }

            var (code, _, stderr) = RunCtl(Endpoints, ["endpoint", "health", "--cluster"]);
            if (code == 0)
            {
                return;
            }

            last = stderr.Trim();
            Thread.Sleep(50);
        }

        throw new TimeoutException($"the etcd cluster was not healthy within {deadline.TotalSeconds:0} s: {last}");
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ =>
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return l;
        }).ToList();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    private sealed class Member(string name, int clientPort, int peerPort, string dataDir)
    {
        private readonly Queue<string> _tail = new();

        public string Name { get; } = name;

        public string ClientUrl { get; } = $"http://127.0.0.1:{clientPort}";

        public string PeerUrl { get; } = $"http://127.0.0.1:{peerPort}";

        public string DataDir { get; } = dataDir;

        public Process? Process { get; set; }

        public void Log(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_tail)
            {
                _tail.Enqueue(line);
                if (_tail.Count > 20)
                {
                    _tail.Dequeue();
                }
            }
        }

        public string Tail()
        {
            lock (_tail)
            {
                return string.Join(" | ", _tail);
            }
        }

        public void Kill()
        {
            if (Process is not { } p)
            {
                return;
            }

            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit();
                }
            }
            catch (InvalidOperationException)
            {
            }

            p.Dispose();
            Process = null;
        }
    }
}
