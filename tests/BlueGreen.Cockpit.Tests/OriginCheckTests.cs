using BlueGreen.Cockpit.Admin;

namespace BlueGreen.Cockpit.Tests;

public sealed class OriginCheckTests
{
    [Theory]
    [InlineData("http", "127.0.0.1:9090", "http://127.0.0.1:9090", null, true, true)]
    [InlineData("http", "127.0.0.1:9090", "HTTP://127.0.0.1:9090", null, true, true)]
    [InlineData("http", "localhost:9090", "http://localhost:9090", null, true, true)]
    [InlineData("http", "[::1]:9090", "http://[::1]:9090", null, true, true)]
    [InlineData("http", "127.0.0.1:9090", null, "http://127.0.0.1:9090/sites/shop?x=1", true, true)]
    [InlineData("http", "127.0.0.1:9090", "http://127.0.0.1:9091", null, true, false)]
    [InlineData("http", "127.0.0.1:9090", "https://127.0.0.1:9090", null, true, false)]
    [InlineData("http", "127.0.0.1:9090", "http://localhost:9090", null, true, false)]
    [InlineData("http", "127.0.0.1:9090", "null", "http://127.0.0.1:9090/", true, false)]
    [InlineData("http", "127.0.0.1:9090", null, null, true, false)]
    [InlineData("http", "127.0.0.1:9090", null, "not a url", true, false)]
    [InlineData("http", "evil.example:9090", "http://evil.example:9090", null, true, false)] // DNS rebinding
    [InlineData("https", "cockpit.example.org", "https://cockpit.example.org", null, false, true)] // remote mode
    [InlineData("https", "cockpit.example.org", "https://evil.example", null, false, false)]
    [InlineData("http", "127.0.0.1:9090/x", "http://127.0.0.1:9090", null, true, false)]
    public void Only_the_cockpits_own_origin_may_post(string scheme, string host, string? origin, string? referer, bool loopbackOnly, bool accepted)
    {
        var refusal = OriginCheck.Refusal(scheme, host, origin, referer, loopbackOnly);
        Assert.True(accepted == (refusal is null), refusal ?? "accepted");
    }

    [Fact]
    public void A_refusal_quotes_the_header_without_its_control_characters() =>
        Assert.DoesNotContain("\n", OriginCheck.Refusal("http", "127.0.0.1:1", "http://evil\n.example", null, true));
}
