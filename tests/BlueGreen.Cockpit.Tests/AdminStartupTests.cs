using BlueGreen.Cockpit.Hosting;
using BlueGreen.Cockpit.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlueGreen.Cockpit.Tests;

public sealed class AdminStartupTests
{
    [Fact]
    public async Task Admin_mode_refuses_to_start_without_a_token_file()
    {
        using var home = AdminHome.Create(writeToken: false);
        var e = await Assert.ThrowsAsync<CockpitStartException>(() => StartAsync(home.Root));
        Assert.Contains("does not exist", e.Message);
    }

    [Theory]
    [InlineData("q8Zt1XkP0aLw3Rb9Uy7cV", "too short")] // 21 base64 characters: 126 bits at most
    [InlineData("8f3a91c0d2b74e6f5a1c9d0e3b7f24a", "too short")] // 31 hex characters: 124 bits at most
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "too predictable")]
    [InlineData("abababababababababababababababababababab", "too predictable")]
    [InlineData("0123456789abcdef0123456789abcdef", "too predictable")]
    [InlineData("password123password123password123", "too predictable")]
    public async Task Admin_mode_refuses_a_guessable_token_and_says_how_to_make_a_good_one(string token, string why)
    {
        using var home = AdminHome.Create(token: token);
        var e = await Assert.ThrowsAsync<CockpitStartException>(() => StartAsync(home.Root));
        Assert.Contains(why, e.Message);
        Assert.Contains(home.Path_("conf", "cockpit.token"), e.Message);
        Assert.Contains($"head -c 32 /dev/urandom | base64 > {home.Path_("conf", "cockpit.token")}", e.Message);
    }

    [Fact]
    public async Task Admin_mode_accepts_a_token_made_as_the_docs_say()
    {
        using var home = AdminHome.Create(token: Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        await using var cockpit = await CockpitUnderTest.StartAsync(home.Root);
        Assert.Equal("127.0.0.1", cockpit.Url.Host);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite)]
    public async Task Admin_mode_refuses_a_token_file_others_can_read_or_write(UnixFileMode mode)
    {
        using var home = AdminHome.Create(mode: mode);
        var e = await Assert.ThrowsAsync<CockpitStartException>(() => StartAsync(home.Root));
        Assert.Contains("chmod 600", e.Message);
    }

    [Fact]
    public async Task Admin_mode_refuses_a_non_loopback_address_unless_remote_https_is_configured()
    {
        using var home = AdminHome.Create(extra: "COCKPIT_LISTEN=0.0.0.0:0\n");
        var e = await Assert.ThrowsAsync<CockpitStartException>(async () =>
            await CockpitHost.StartAsync(CockpitUnderTest.Options(home.Root) with { Listen = null }, NullLoggerFactory.Instance, CancellationToken.None));
        Assert.Contains("loopback", e.Message);

        home.WriteGlobal("ROUTER_API=\nCOCKPIT_MODE=admin\nCOCKPIT_LISTEN=0.0.0.0:0\nCOCKPIT_ALLOW_REMOTE=1\n");
        e = await Assert.ThrowsAsync<CockpitStartException>(async () =>
            await CockpitHost.StartAsync(CockpitUnderTest.Options(home.Root) with { Listen = null }, NullLoggerFactory.Instance, CancellationToken.None));
        Assert.Contains("COCKPIT_HTTPS_CERT", e.Message);
    }

    [Fact]
    public async Task Admin_mode_beyond_loopback_serves_https_only_with_the_configured_certificate()
    {
        using var home = AdminHome.Create(extra: "COCKPIT_LISTEN=0.0.0.0:0\nCOCKPIT_ALLOW_REMOTE=1\nCOCKPIT_HTTPS_CERT=conf/cockpit.pfx\n");
        using (var key = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllBytes(home.Path_("conf", "cockpit.pfx"), certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx));
        }

        await using var cockpit = await CockpitHost.StartAsync(CockpitUnderTest.Options(home.Root) with { Listen = null }, NullLoggerFactory.Instance, CancellationToken.None);

        Assert.Equal("https", cockpit.Url.Scheme);
        var port = cockpit.Url.Port;
        using var https = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Subject == "CN=localhost" });
        var login = await https.GetStringAsync($"https://127.0.0.1:{port}/login");
        Assert.Contains("Admin login", login);
        using var plain = new HttpClient();
        await Assert.ThrowsAnyAsync<Exception>(async () => (await plain.GetAsync($"http://127.0.0.1:{port}/login")).EnsureSuccessStatusCode());
    }

    [Fact]
    public async Task Admin_mode_starts_with_a_long_private_token_on_loopback()
    {
        using var home = AdminHome.Create();
        await using var cockpit = await CockpitUnderTest.StartAsync(home.Root);
        Assert.Equal("127.0.0.1", cockpit.Url.Host);
    }

    private static async Task StartAsync(string home)
    {
        await using var cockpit = await CockpitUnderTest.StartAsync(home);
    }
}
