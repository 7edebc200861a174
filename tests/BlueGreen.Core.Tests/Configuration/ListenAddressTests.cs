using System.Net;
using BlueGreen.Core.Configuration;

namespace BlueGreen.Core.Tests.Configuration;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080, true)]
    [InlineData("localhost:9090", "localhost", 9090, true)]
    [InlineData("[::1]:8081", "::1", 8081, true)]
    [InlineData("0.0.0.0:80", "0.0.0.0", 80, false)]
    [InlineData("*:80", "*", 80, false)]
    [InlineData(":0", "", 0, false)]
    [InlineData("http://127.0.0.1:8081/", "127.0.0.1", 8081, true)]
    public void Valid_addresses_parse_into_host_port_and_loopbackness(string text, string host, int port, bool loopback)
    {
        var address = ListenAddress.Parse(text);

        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(loopback, address.IsLoopback);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:http")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("example.com:80")]
    [InlineData("")]
    public void Invalid_addresses_are_refused_with_the_text_in_the_error(string text)
    {
        Assert.False(ListenAddress.TryParse(text, out _, out var error));
        Assert.Contains($"'{text}'", error);
    }

    [Fact]
    public void Any_host_listens_on_every_interface_and_IPv6_goes_in_brackets_in_urls()
    {
        Assert.Equal(IPAddress.Any, ListenAddress.Parse("*:80").IpAddress);
        Assert.Equal(IPAddress.Loopback, ListenAddress.Parse("localhost:80").IpAddress);
        Assert.Equal("[::1]:8081", ListenAddress.Parse("[::1]:8081").ToString());
    }
}
