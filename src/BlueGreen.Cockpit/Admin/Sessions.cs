using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Cockpit.Admin;

/// <summary>One logged-in admin. Short is what the journal's actor shows (never the secret id itself).</summary>
internal sealed record Session(string Id, string Short, DateTimeOffset Created)
{
    public DateTimeOffset LastSeen { get; set; } = Created;
}

/// <summary>In-memory sessions: a restart logs everyone out, which is the safe default.</summary>
internal sealed class Sessions(TimeProvider clock)
{
    public const string CookieName = "bluegreen_cockpit_session";

    private static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public Session Create()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var session = new Session(id, id[..8], clock.GetUtcNow());
        _sessions[id] = session;
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
