using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace BlueGreen.Infrastructure.Etcd;

/// <summary>
/// A throw-away etcd cluster of real members (Debian's etcd-server and etcd-client) on loopback, for `demo --cluster`
/// and the tests: ports chosen at run time (never 2379/2380), data under a directory of the caller's, fast elections
/// (--heartbeat-interval 50 --election-timeout 500), healthy before the constructor returns (a deadline, no fixed
/// sleep), and every member stopped with SIGKILL on Dispose (the last member of a cluster can hang on SIGTERM; its data
/// is thrown away anyway).
/// </summary>
public class LocalEtcdCluster : IDisposable
{
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    /// <summary>The one line to print when the programs are missing.</summary>
    public const string MissingPackages = "etcd is not installed: apt-get install etcd-server etcd-client (Debian)";

    private readonly List<Member> _members = [];
    private readonly string _initialCluster = "";
    private readonly string _etcd;
    private readonly string _etcdctl;

    /// <param name="dir">A directory of its own (created; deleted on Dispose): each member keeps its data under it.</param>
    public LocalEtcdCluster(string dir, int size = 3)
    {
        (_etcd, _etcdctl) = Programs() ?? throw new InvalidOperationException(MissingPackages);
        Dir = dir;
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
                Start(member, "new");
            }

            WaitHealthy(StartDeadline);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>True when both programs are on the PATH.</summary>
    public static bool Installed => Programs() is not null;

    /// <summary>Where the members keep their data.</summary>
    public string Dir { get; }

    /// <summary>Comma-separated client URLs, as ETCD_ENDPOINTS takes them.</summary>
    public string Endpoints => string.Join(',', _members.Select(m => m.ClientUrl));

    public IReadOnlyList<string> ClientUrls => _members.Select(m => m.ClientUrl).ToList();

    public string MemberName(int member) => _members[member].Name;

    /// <summary>Runs etcdctl (API v3) against the cluster; throws with its stderr when it fails.</summary>
    public string Ctl(params string[] args)
    {
        var (code, stdout, stderr) = RunCtl(Endpoints, args);
        return code == 0 ? stdout : throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} exited {code}: {stderr.Trim()}");
    }

    /// <summary>
    /// The member that leads now, as the running members report it (`etcdctl endpoint status`: each one's member id and
    /// the leader it knows); waits for an election in progress, up to <paramref name="deadline"/>.
    /// </summary>
    public int Leader(TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < deadline)
        {
            var running = _members.Where(m => m.Process is not null).ToList();
            var (code, stdout, stderr) = RunCtl(string.Join(',', running.Select(m => m.ClientUrl)), ["endpoint", "status", "-w", "json"]);
            if (code == 0 && LeaderIn(stdout) is { } url && _members.FindIndex(m => m.ClientUrl == url) is >= 0 and var index)
            {
                return index;
            }

            last = code == 0 ? "no member reports a leader they agree on" : stderr.Trim();
            Thread.Sleep(50);
        }

        throw new TimeoutException($"the etcd cluster had no leader within {deadline.TotalSeconds:0} s: {last}");
    }

    /// <summary>
    /// The client URL of the leader in `etcdctl endpoint status -w json`'s answer, when every member that answered names
    /// the same leader and that leader is among them; null otherwise (an election in progress).
    /// </summary>
    public static string? LeaderIn(string statusJson)
    {
        using var doc = JsonDocument.Parse(statusJson);
        var members = doc.RootElement.EnumerateArray()
            .Select(e => (Url: e.GetProperty("Endpoint").GetString()!, Status: e.GetProperty("Status")))
            .Select(e => (e.Url, Id: e.Status.GetProperty("header").GetProperty("member_id").GetUInt64(), Leader: e.Status.TryGetProperty("leader", out var l) ? l.GetUInt64() : 0))
            .ToList();
        var leaders = members.Select(m => m.Leader).Distinct().ToList();
        return leaders is [var leader] && leader != 0 ? members.FirstOrDefault(m => m.Id == leader).Url : null;
    }

    /// <summary>Kills one member (SIGKILL); the others go on (a quorum of 3 survives one loss).</summary>
    public void Kill(int member) => _members[member].Kill();

    /// <summary>Kills every member (SIGKILL) and waits until they are gone: the cluster is unreachable afterwards.</summary>
    public void KillAll()
    {
        foreach (var member in _members)
        {
            member.Kill();
        }
    }

    /// <summary>Starts one killed member again on its data and ports; it catches up from the others.</summary>
    public void Restart(int member)
    {
        if (_members[member].Process is null)
        {
            Start(_members[member], "existing");
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

    /// <summary>Waits until every member answers healthy (`etcdctl endpoint health --cluster`).</summary>
    public void WaitHealthy(TimeSpan deadline)
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

        GC.SuppressFinalize(this);
    }

    private static (string Etcd, string Etcdctl)? Programs() =>
        OnPath("etcd") is { } etcd && OnPath("etcdctl") is { } etcdctl ? (etcd, etcdctl) : null;

    private static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, program))
        .FirstOrDefault(File.Exists);

    private (int Code, string Stdout, string Stderr) RunCtl(string endpoints, string[] args)
    {
        var start = new ProcessStartInfo(_etcdctl) { RedirectStandardOutput = true, RedirectStandardError = true };
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

    private void Start(Member member, string state)
    {
        Directory.CreateDirectory(member.DataDir);
        var start = new ProcessStartInfo(_etcd) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     "--name", member.Name, "--data-dir", member.DataDir,
                     "--listen-client-urls", member.ClientUrl, "--advertise-client-urls", member.ClientUrl,
                     "--listen-peer-urls", member.PeerUrl, "--initial-advertise-peer-urls", member.PeerUrl,
                     "--initial-cluster", _initialCluster, "--initial-cluster-state", state, "--initial-cluster-token", Path.GetFileName(Dir),
                     "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "error",
                     // A restarted member asks before it campaigns, so it does not depose a working leader (3.5's default).
                     "--pre-vote",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        // Debian's package may set ETCD_* defaults for the system etcd: none may leak into a member of this cluster.
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
