using System.Net;
using System.Net.Sockets;
using BlueGreen.Infrastructure.Net;

namespace BlueGreen.Infrastructure.Tests.Ports;

/// <summary>One demo's ports: never the same one twice in a run, even when the kernel offers a released port again.</summary>
public sealed class PortAllocatorTests
{
    [Fact]
    public void A_port_the_probe_offers_again_is_skipped()
    {
        var offered = new Queue<int>([5001, 5001, 5002, 5001, 5002, 5003]);
        var ports = new PortAllocator(offered.Dequeue);

        Assert.Equal([5001, 5002, 5003], ports.Next(3));
        Assert.Empty(offered);
    }

    [Fact]
    public void A_probe_that_offers_nothing_new_is_an_error_not_a_hang()
    {
        var ports = new PortAllocator(() => 5001);
        Assert.Equal(5001, ports.Next());

        Assert.Contains("no loopback port", Assert.Throws<InvalidOperationException>(() => ports.Next()).Message);
    }

    [Fact]
    public void The_real_probe_gives_ports_free_on_loopback()
    {
        var ports = new PortAllocator().Next(4);

        Assert.Equal(4, ports.Distinct().Count());
        foreach (var port in ports)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start(); // free: a server of the run can bind it
        }
    }
}
