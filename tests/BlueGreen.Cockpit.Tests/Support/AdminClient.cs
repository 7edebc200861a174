using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace BlueGreen.Cockpit.Tests.Support;

/// <summary>
/// A plain HTTP client of an admin cockpit, as a browser would behave: its own cookies, the cockpit's
/// Origin on every request, the hidden form token read from the pages. Optionally from another
/// loopback address (127.0.0.x), to be another source for the login throttle.
/// </summary>
public sealed partial class AdminClient : IDisposable
{
    private readonly HttpClient _http;

    public AdminClient(Uri cockpit, string? from = null)
    {
        var handler = new SocketsHttpHandler { CookieContainer = Cookies, AllowAutoRedirect = false, UseProxy = false };
        if (from is not null)
        {
            handler.ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        _http = new HttpClient(handler) { BaseAddress = cockpit };
        _http.DefaultRequestHeaders.Add("Origin", cockpit.GetLeftPart(UriPartial.Authority));
    }

    public CookieContainer Cookies { get; } = new();

    public HttpClient Http => _http;

    [GeneratedRegex("name=\"bluegreen_form_token\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex HiddenToken();

    public static string TokenIn(string html)
    {
        var match = HiddenToken().Match(html);
        Assert.True(match.Success, "no form token in the page");
        return WebUtility.HtmlDecode(match.Groups["value"].Value);
    }

    /// <summary>The login form's token (and its cookie, now in this client).</summary>
    public async Task<string> LoginFormTokenAsync() => TokenIn(await _http.GetStringAsync("/login"));

    public HttpRequestMessage LoginRequest(string formToken, string adminToken) =>
        new(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent([new("bluegreen_form_token", formToken), new("token", adminToken)]) };

    /// <summary>Logs in with the right token; returns the session's form token (from the board).</summary>
    public async Task<string> LogInAsync(string adminToken = AdminHome.Token)
    {
        using var response = await _http.SendAsync(LoginRequest(await LoginFormTokenAsync(), adminToken));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"login answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return TokenIn(await _http.GetStringAsync("/"));
    }

    public Task<HttpResponseMessage> PostAsync(string path, params (string Name, string Value)[] fields) =>
        _http.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

    public void Dispose() => _http.Dispose();
}
