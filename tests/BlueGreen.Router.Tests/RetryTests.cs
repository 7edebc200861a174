using System.Net;
using System.Net.Sockets;
using BlueGreen.Router.Proxy;
using BlueGreen.Router.Tests.Support;

namespace BlueGreen.Router.Tests;

/// <summary>A failed upstream connection costs no idempotent request, and never replays one whose body was sent.</summary>
public sealed class RetryTests
{
    [Theory]
    [InlineData("GET", false, true)]
    [InlineData("HEAD", false, true)]
    [InlineData("OPTIONS", false, true)]
    [InlineData("TRACE", false, true)]
    [InlineData("PUT", false, true)]
    [InlineData("DELETE", false, true)]
    [InlineData("get", false, true)]
    [InlineData("GET", true, false)] // a body: it may already be on the wire
    [InlineData("PUT", true, false)]
    [InlineData("POST", false, false)] // not idempotent
    [InlineData("PATCH", false, false)]
    [InlineData("LOCK", false, false)]
    public void Only_idempotent_requests_without_a_body_are_replayable(string method, bool body, bool replayable)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "http://127.0.0.1:1/");
        if (body)
        {
            request.Content = new StringContent("x");
        }

        Assert.Equal(replayable, UpstreamRetry.IsReplayable(request));
    }

    public static TheoryData<string, Exception, bool> Failures => new()
    {
        { "refused", new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)), true },
        { "ended", new HttpRequestException(HttpRequestError.ResponseEnded, "sending", new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.")), true },
        { "reset", new HttpRequestException(HttpRequestError.Unknown, "sending", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))), true },
        { "garbage", new HttpRequestException(HttpRequestError.InvalidResponse, "bad status line"), false },
        { "timeout", new TaskCanceledException("activity timeout"), false },
        { "other", new InvalidOperationException("bug"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Only_connection_failures_are_retried(string _, Exception error, bool retried)
    {
        Assert.Equal(retried, UpstreamRetry.IsConnectionFailure(error));
    }

    [Fact]
    public void An_error_is_described_with_its_inner_causes()
    {
        var error = new HttpRequestException("An error occurred while sending the request.", new IOException("The response ended prematurely.", new SocketException((int)SocketError.ConnectionReset)));
        Assert.StartsWith("An error occurred while sending the request. ← The response ended prematurely. ← ", UpstreamRetry.Describe(error));
    }

    [Fact]
    public async Task A_get_whose_connection_was_reset_before_an_answer_is_sent_again_on_a_new_connection()
    {
        await using var backend = new DroppingBackend(drops: 1);
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("flaky", "Host(`flaky.test`)", backend.UrlText) });

        var (status, body, _) = await h.GetAsync("flaky.test", "/page");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", body);
        Assert.Equal(["GET /page HTTP/1.1", "GET /page HTTP/1.1"], backend.RequestLines);
        Assert.Contains("router: warning: GET http://127.0.0.1:", h.Log.Text);
        Assert.Contains("Connection reset by peer; sent again on a new connection", h.Log.Text);
    }

    [Fact]
    public async Task A_get_is_retried_once_only()
    {
        await using var backend = new DroppingBackend(drops: 2);
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("flaky", "Host(`flaky.test`)", backend.UrlText) });

        Assert.Equal(HttpStatusCode.BadGateway, (await h.GetAsync("flaky.test", "/")).Status);
        Assert.Equal(2, backend.RequestLines.Count);
        // The error line gives the inner cause, not only "An error occurred while sending the request".
        Assert.Matches("router: error: GET / -> flaky@file .*: Request: .* ← Connection reset by peer", h.Log.Text);
    }

    [Fact]
    public async Task A_post_with_a_body_is_never_replayed()
    {
        await using var backend = new DroppingBackend(drops: 1);
        await using var h = await RouterHarness.StartAsync(new Dictionary<string, string> { ["r.yml"] = Yaml.Simple("flaky", "Host(`flaky.test`)", backend.UrlText) });

        using var request = new HttpRequestMessage(HttpMethod.Post, "/order") { Content = new StringContent("buy one") };
        request.Headers.Host = "flaky.test";
        using var response = await h.Proxy.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(["POST /order HTTP/1.1"], backend.RequestLines);
        Assert.DoesNotContain("sent again", h.Log.Text);
    }
}
