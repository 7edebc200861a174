using System.Net;
using System.Net.Sockets;
using BlueGreen.Core.Configuration;

namespace BlueGreen.Gates.Tests;

public sealed class TcpGateTests
{
    private readonly TcpGate _gate = new();

    [Fact]
    public async Task Open_ports_pass()
    {
        var first = new TcpListener(IPAddress.Loopback, 0);
        var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        try
        {
            var site = Candidates.Site() with { TcpChecks = [Endpoint(first), Endpoint(second)] };

            var result = await _gate.RunAsync(Candidates.On(site, "/tmp"), default);

            Assert.True(result.Passed, result.Reason);
            Assert.Equal(2, result.Details!.Count);
        }
        finally
        {
            first.Stop();
            second.Stop();
        }
    }

    [Fact]
    public async Task A_closed_port_fails_and_is_named()
    {
        var open = new TcpListener(IPAddress.Loopback, 0);
        open.Start();
        try
        {
            var closed = new TcpEndpoint("127.0.0.1", HttpGateTests.FreePort());
            var site = Candidates.Site() with { TcpChecks = [Endpoint(open), closed] };

            var result = await _gate.RunAsync(Candidates.On(site, "/tmp"), default);

            Assert.False(result.Passed);
            Assert.Contains($"1 of 2", result.Reason);
            Assert.Contains(closed.ToString(), result.Reason);
            Assert.DoesNotContain(Endpoint(open).ToString() + ",", result.Reason);
        }
        finally
        {
            open.Stop();
        }
    }

    [Fact]
    public void The_gate_applies_only_when_tcp_checks_are_configured()
    {
        Assert.False(_gate.AppliesTo(Candidates.Site()));
        Assert.True(_gate.AppliesTo(Candidates.Site() with { TcpChecks = [new TcpEndpoint("db", 5432)] }));
    }

    private static TcpEndpoint Endpoint(TcpListener listener) => new("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port);
}
