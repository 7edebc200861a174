using System.Net;
using System.Text;
using BlueGreen.Cockpit.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests;

/// <summary>An admin action's page shows run.sh's output while it runs, not only once it is over.</summary>
public sealed class AdminStreamingTests : IAsyncLifetime
{
    private readonly TempHome _home = AdminHome.Create();
    private SlotServer _a = null!;
    private SlotServer _b = null!;
    private CockpitUnderTest _cockpit = null!;

    public async Task InitializeAsync()
    {
        _a = await SlotServer.StartAsync("a");
        _b = await SlotServer.StartAsync("b");
        _home.AddSite("slow", _a.Url, _b.Url, "TEST_CMD=sleep 3\n"); // the validation lasts about 3 s
        await Cli.MustAsync(_home.Root, "deploy", "slow", "--version", "1.0");
        _cockpit = await CockpitUnderTest.StartAsync(_home.Root);
    }

    public async Task DisposeAsync()
    {
        await _cockpit.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task The_output_of_validate_reaches_the_page_before_the_command_ends()
    {
        using var client = new AdminClient(_cockpit.Url);
        var form = await client.LogInAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/sites/slow/validate") { Content = new FormUrlEncodedContent([new("bluegreen_form_token", form)]) };
        using var response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await using var body = await response.Content.ReadAsStreamAsync();
        var received = new StringBuilder();
        var buffer = new byte[4096];
        string? seenWhenOutputArrived = null;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            if (seenWhenOutputArrived is null && received.ToString().Contains("validating 1.0 on candidate slot a", StringComparison.Ordinal))
            {
                seenWhenOutputArrived = received.ToString();
            }
        }

        Assert.NotNull(seenWhenOutputArrived);
        Assert.DoesNotContain("exit code", seenWhenOutputArrived); // the result was not there yet: the output was streamed
        Assert.Contains("exit code 0: done", received.ToString());
        Assert.Contains("validate succeeded", received.ToString());
    }
}
