using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Cockpit.Admin;

/// <summary>
/// One logged-in admin. Short (8 hex characters of a hash of the id) names it on pages, in the
/// journal and in the log; the id itself, the secret in the cookie, is never shown (a class, not a
/// record: no generated ToString prints it).
/// </summary>
internal sealed class Session(string id, string from, DateTimeOffset created)
{
    public string Id => id;

    /// <summary>The client address the session logged in from.</summary>
    public string From => from;

    public string Short { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..8];

    /// <summary>What run.sh gets in BLUEGREEN_SESSION: which session, from where.</summary>
    public string Label => $"session {Short} from {From}";

    public DateTimeOffset LastSeen { get; set; } = created;
}

/// <summary>In-memory sessions: a restart logs everyone out, which is the safe default.</summary>
internal sealed class Sessions(TimeProvider clock)
{
    public const string CookieName = "bluegreen_cockpit_session";

    /// <summary>The login form's own cookie, which its form token is bound to (there is no session yet).</summary>
    public const string LoginCookieName = "bluegreen_cockpit_login";

    private static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public Session Create(string from)
    {
        var session = new Session(NewId(), from, clock.GetUtcNow());
        _sessions[session.Id] = session;
        return session;
    }

    public Session? Find(HttpContext http)
    {
        if (http.Request.Cookies[CookieName] is not { Length: 64 } id || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (now - session.LastSeen > IdleLimit)
        {
            _sessions.TryRemove(id, out _);
            return null;
        }

        session.LastSeen = now;
        return session;
    }

    public void End(Session session) => _sessions.TryRemove(session.Id, out _);

    public static CookieOptions CookieOptions(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
    };
}
