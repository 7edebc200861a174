using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BlueGreen.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Router.Proxy;

/// <summary>
/// Traefik's sticky cookie of a weighted service (pkg/server/service/loadbalancer/sticky.go, pkg/server/cookie): the
/// name sanitized as Traefik does (or generated from the service's name when none is given), the value the first 16 hex
/// digits of the SHA-256 of the child's name, the attributes in the order Go's http.Cookie writes them.
/// </summary>
internal sealed class StickyCookie
{
    private readonly CookieConfig _config;

    public StickyCookie(CookieConfig config, string service)
    {
        _config = config;
        Name = config.Name is { Length: > 0 } name ? Sanitize(name) : Generate(service);
    }

    public string Name { get; }

    /// <summary>Adds the Set-Cookie once the upstream's headers are in, so that the upstream's own cookies stay too.</summary>
    public void Write(HttpContext context, string child)
    {
        var header = SetCookie(child);
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.Append("Set-Cookie", header);
            return Task.CompletedTask;
        });
    }

    /// <summary>The Set-Cookie value for a child, as Go's http.Cookie.String() writes it.</summary>
    public string SetCookie(string child)
    {
        var text = new StringBuilder($"{Name}={Sha256Value(child)}");
        text.Append("; Path=").Append(_config.Path ?? "/");
        if (_config.Domain is { Length: > 0 } domain)
        {
            text.Append("; Domain=").Append(domain.TrimStart('.'));
        }

        if (_config.MaxAge is > 0 and var maxAge)
        {
            text.Append("; Max-Age=").Append(maxAge.ToString(CultureInfo.InvariantCulture));
        }
        else if (_config.MaxAge < 0)
        {
            text.Append("; Max-Age=0");
        }

        if (_config.HttpOnly == true)
        {
            text.Append("; HttpOnly");
        }

        if (_config.Secure == true)
        {
            text.Append("; Secure");
        }

        var sameSite = _config.SameSite?.ToLowerInvariant() switch { "none" => "None", "lax" => "Lax", "strict" => "Strict", _ => null };
        if (sameSite is not null)
        {
            text.Append("; SameSite=").Append(sameSite);
        }

        return text.ToString();
    }

    /// <summary>sha256Hash: the SHA-256 of the name in hex, cut to 16 characters.</summary>
    public static string Sha256Value(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16];

    /// <summary>fnvHash: FNV-64 (not 64a) of the name, in hex without leading zeros (strconv.FormatUint(h, 16)).</summary>
    public static string Fnv64(string name)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash *= 1099511628211UL;
            hash ^= b;
        }

        return hash.ToString("x", CultureInfo.InvariantCulture);
    }

    /// <summary>sanitizeName: every rune that is not an RFC 2616 token character becomes '_'.</summary>
    public static string Sanitize(string name)
    {
        var text = new StringBuilder();
        foreach (var rune in name.EnumerateRunes())
        {
            var c = rune.Value;
            var keep = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
                or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '`' or '|' or '~';
            text.Append(keep ? rune.ToString() : "_");
        }

        return text.ToString();
    }

    /// <summary>GenerateName: "_" and the SHA-1 of "_TRAEFIK_BACKEND_" + the service's name in hex, 6 characters in all.</summary>
    public static string Generate(string service) =>
        ("_" + Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes("_TRAEFIK_BACKEND_" + service))))[..6];
}
