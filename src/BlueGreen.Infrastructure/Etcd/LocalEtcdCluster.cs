using System.Diagnostics;
using System.Text.Json;
using BlueGreen.Infrastructure.Net;

namespace BlueGreen.Infrastructure.Etcd;

/// <summary>
/// A throw-away etcd cluster of real members (Debian's etcd-server and etcd-client) on loopback, for `demo --cluster`
/// and the tests: ports chosen at run time (never 2379/2380), data under a directory of the caller's, fast elections
/// (--heartbeat-interval 50 --election-timeout 500), healthy before the constructor returns (a deadline, no fixed
/// sleep), and every member stopped with SIGKILL on Dispose (the last member of a cluster can hang on SIGTERM; its data
/// is thrown away anyway). Every wait also ends at once when its cancellation token fires (Ctrl-C in the demo).
/// </summary>
public class LocalEtcdCluster : IDisposable
{
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    /// <summary>The one line to print when the programs are missing.</summary>
    public const string MissingPackages = "etcd is not installed: apt-get install etcd-server etcd-client (Debian)";

    /// <summary>Each member's database limit (--quota-backend-bytes): ample for a demo or a test, and a known size.</summary>
    public const long QuotaBackendBytes = 256L * 1024 * 1024;

    /// <summary>
    /// The room one member may fill: its database up to the quota and its WAL, whose 64 MB segments etcd preallocates
    /// (the one in use and the next).
    /// </summary>
    public const long BytesPerMember = QuotaBackendBytes + 2 * 64L * 1000 * 1000;

    public const string SharedMemory = "/dev/shm";

    private readonly List<Member> _members = [];
    private readonly string _initialCluster = "";
    private readonly string _etcd;
    private readonly string _etcdctl;

    /// <param name="dir">A directory of its own (created; deleted on Dispose): each member keeps its data under it.</param>
    /// <param name="ports">Where the members' ports come from: the caller's own, so that none clashes with its other servers.</param>
    /// <param name="ct">Ends the wait for a healthy cluster (the members are then killed and the directory deleted).</param>
    public LocalEtcdCluster(string dir, int size = 3, PortAllocator? ports = null, CancellationToken ct = default)
    {
        (_etcd, _etcdctl) = Programs() ?? throw new InvalidOperationException(MissingPackages);
        Dir = dir;
        Directory.CreateDirectory(Dir);
        try
        {
            // etcd binds the ports a moment after they were picked: a clash with another program shows as a failed
            // start, which WaitHealthy retries once.
            var picked = (ports ?? new PortAllocator()).Next(size * 2);
            for (var i = 0; i < size; i++)
            {
                _members.Add(new Member($"m{i}", picked[2 * i], picked[2 * i + 1], Path.Combine(Dir, $"m{i}")));
            }

            _initialCluster = string.Join(',', _members.Select(m => $"{m.Name}={m.PeerUrl}"));
            foreach (var member in _members)
            {
                Start(member, "new");
            }

            WaitHealthy(StartDeadline, ct);
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

    /// <summary>Where a cluster's data goes, and why there (the demo prints both).</summary>
    public sealed record DataRoot(string Path, string Why);

    /// <summary>
    /// The pure choice of where the members keep their data: /dev/shm when it is a tmpfs with room for every member (no
    /// disk fsyncs to slow the elections of a loaded machine), else <paramref name="tempDir"/> (Docker's default
    /// /dev/shm is a 64 MiB tmpfs, too small for three members).
    /// </summary>
    /// <param name="shmFormat">The file system of /dev/shm ("tmpfs"), null when there is none.</param>
    /// <param name="shmFree">Its free bytes for us (statvfs's f_bavail × f_bsize).</param>
    public static DataRoot ChooseDataRoot(string? shmFormat, long shmFree, int members, string tempDir)
    {
        var needed = members * BytesPerMember;
        if (shmFormat == "tmpfs" && shmFree >= needed)
        {
            return new DataRoot(SharedMemory, $"tmpfs {SharedMemory}, {Mib(shmFree)} free");
        }

        var why = shmFormat is null ? $"no {SharedMemory}"
            : shmFormat != "tmpfs" ? $"{SharedMemory} is {shmFormat}, not a tmpfs"
            : $"{SharedMemory} has {Mib(shmFree)} free, less than the {Mib(needed, roundUp: true)} {members} members may fill";
        return new DataRoot(tempDir, $"a temporary directory: {why}");
    }

    /// <summary><see cref="ChooseDataRoot(string?, long, int, string)"/> for this machine's /dev/shm.</summary>
    public static DataRoot ChooseDataRoot(int members, string tempDir)
    {
        var (format, free) = ((string?)null, 0L);
        try
        {
            if (Directory.Exists(SharedMemory))
            {
                var drive = new DriveInfo(SharedMemory); // statfs for its type, statvfs for its free space
                (format, free) = (drive.DriveFormat, drive.AvailableFreeSpace);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable: not a place to count on.
        }

        return ChooseDataRoot(format, free, members, tempDir);
    }

    /// <summary>Whole MiB, rounded down (what is free) or up (what is needed), so that "less than" reads true.</summary>
    private static string Mib(long bytes, bool roundUp = false) =>
        ((bytes + (roundUp ? (1 << 20) - 1 : 0)) >> 20).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " MiB";

    /// <summary>Runs etcdctl (API v3) against the cluster; throws with its stderr when it fails.</summary>
    public string Ctl(params string[] args)
    {
        var (code, stdout, stderr) = RunCtl(Endpoints, args, CancellationToken.None);
        return code == 0 ? stdout : throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} exited {code}: {stderr.Trim()}");
    }

    /// <summary>
    /// The member that leads now, as the running members report it (`etcdctl endpoint status`: each one's member id and
    /// the leader it knows); waits for an election in progress, up to <paramref name="deadline"/>.
    /// </summary>
    public int Leader(TimeSpan deadline, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < deadline)
        {
            var running = _members.Where(m => m.Process is not null).ToList();
            var (code, stdout, stderr) = RunCtl(string.Join(',', running.Select(m => m.ClientUrl)), ["endpoint", "status", "-w", "json"], ct);
            if (code == 0 && LeaderIn(stdout) is { } url && _members.FindIndex(m => m.ClientUrl == url) is >= 0 and var index)
            {
                return index;
            }

            last = code == 0 ? "no member reports a leader they agree on" : stderr.Trim();
            Pause(ct);
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

    /// <summary>
    /// Waits until every member answers healthy on its own client URL (`etcdctl endpoint health` with all of them; not
    /// `--cluster`, which checks only the members that have published their URLs: two members that form a quorum
    /// without a third that never started would pass).
    /// </summary>
    public void WaitHealthy(TimeSpan deadline, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < deadline)
        {
            if (_members.FirstOrDefault(m => m.Process?.HasExited == true) is { } dead)
            {
                dead.Process!.WaitForExit(); // its output read to the end: the tail holds why it exited
                // Its port, free when it was picked, was taken meanwhile: often by another program's own short pick
                // (bind port 0, let go), so one more start on the same ports is worth it; the peers know those ports.
                if (!dead.Retried && dead.Tail().Contains("address already in use", StringComparison.Ordinal))
                {
                    dead.Retried = true;
                    dead.Kill();
                    Start(dead, dead.State);
                    continue;
                }

                throw new InvalidOperationException($"etcd member {dead.Name} exited {dead.Process!.ExitCode} at start: {dead.Tail()}");
            }

            var (code, _, stderr) = RunCtl(Endpoints, ["endpoint", "health"], ct);
            if (code == 0)
            {
                return;
            }

            last = stderr.Trim();
            Pause(ct);
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

    /// <summary>A poll's pause, cut short by <paramref name="ct"/>.</summary>
    private static void Pause(CancellationToken ct)
    {
        ct.WaitHandle.WaitOne(50);
        ct.ThrowIfCancellationRequested();
    }

    private (int Code, string Stdout, string Stderr) RunCtl(string endpoints, string[] args, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
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
        using (ct.Register(() => KillQuietly(process)))
        {
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            ct.ThrowIfCancellationRequested();
            return (process.ExitCode, stdout, stderr.Result);
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private void Start(Member member, string state)
    {
        member.State = state;
        Directory.CreateDirectory(member.DataDir);
        var start = new ProcessStartInfo(_etcd) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     "--name", member.Name, "--data-dir", member.DataDir,
                     "--listen-client-urls", member.ClientUrl, "--advertise-client-urls", member.ClientUrl,
                     "--listen-peer-urls", member.PeerUrl, "--initial-advertise-peer-urls", member.PeerUrl,
                     "--initial-cluster", _initialCluster, "--initial-cluster-state", state, "--initial-cluster-token", Path.GetFileName(Dir),
                     "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "error",
                     "--quota-backend-bytes", QuotaBackendBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
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

    private sealed class Member(string name, int clientPort, int peerPort, string dataDir)
    {
        private readonly Queue<string> _tail = new();

        public string Name { get; } = name;

        public string ClientUrl { get; } = $"http://127.0.0.1:{clientPort}";

        public string PeerUrl { get; } = $"http://127.0.0.1:{peerPort}";

        public string DataDir { get; } = dataDir;

        public Process? Process { get; set; }

        /// <summary>How it was last started: "new" (bootstrapping the cluster) or "existing" (rejoining it).</summary>
        public string State { get; set; } = "new";

        /// <summary>Whether a start that met a taken port was already retried.</summary>
        public bool Retried { get; set; }

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
