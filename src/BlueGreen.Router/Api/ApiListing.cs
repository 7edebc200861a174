using System.Text;
using BlueGreen.Router.Configuration;

namespace BlueGreen.Router.Api;

/// <summary>
/// The <c>search</c>, <c>status</c>, <c>serviceName</c> and <c>middlewareName</c> query filters, as Traefik's
/// pkg/api/criterion.go applies them (null when none is given, as there).
/// </summary>
internal sealed record SearchCriterion(string Search, string Status, string ServiceName, string MiddlewareName)
{
    public static SearchCriterion? From(IReadOnlyDictionary<string, string> query)
    {
        var criterion = new SearchCriterion(query.GetValueOrDefault("search", ""), query.GetValueOrDefault("status", ""),
            query.GetValueOrDefault("serviceName", ""), query.GetValueOrDefault("middlewareName", ""));
        return criterion is { Search: "", Status: "", ServiceName: "", MiddlewareName: "" } ? null : criterion;
    }

    public bool WithStatus(string status) => Status.Length == 0 || string.Equals(status, Status, StringComparison.OrdinalIgnoreCase);

    /// <summary>Case-insensitive substring of any value.</summary>
    public bool SearchIn(params string[] values) =>
        Search.Length == 0 || values.Any(v => v.ToLowerInvariant().Contains(Search.ToLowerInvariant(), StringComparison.Ordinal));

    /// <summary>
    /// A router's service written with a provider must equal the filter; one written without it (the usual
    /// case in a file) is compared with the filter's part before '@'.
    /// </summary>
    public bool FilterService(string service) =>
        ServiceName.Length == 0 || (service.Contains('@') ? ServiceName == service : ServiceName.Split('@')[0] == service);

    public bool FilterMiddleware(IReadOnlyList<string> middlewares) => MiddlewareName.Length == 0 || middlewares.Contains(MiddlewareName);
}

/// <summary>One page of a list: items [Start, End) and the X-Next-Page value (1 on the last page).</summary>
internal readonly record struct PageInfo(int Start, int End, long NextPage);

/// <summary>Filtering, sorting and paging of the list endpoints, as Traefik's pkg/api (criterion.go, sort.go, handler_http.go).</summary>
internal static class ApiListing
{
    public const string NextPageHeader = "X-Next-Page";

    private const long DefaultPerPage = 100;
    private const long DefaultPage = 1;

    // Traefik's routers and services carry middleware lists; the files the router serves cannot declare any.
    private static readonly IReadOnlyList<string> NoMiddlewares = [];

    public static List<RouterView> Routers(IEnumerable<RouterView> all, IReadOnlyDictionary<string, string> query)
    {
        var criterion = SearchCriterion.From(query);
        var kept = all.Where(r => criterion is null || (criterion.WithStatus(r.Status) && criterion.SearchIn(r.Config.Rule, r.Name)
            && criterion.FilterService(r.Config.Service) && criterion.FilterMiddleware(NoMiddlewares))).ToList();
        Func<RouterView, IComparable>? key = query.GetValueOrDefault("sortBy") switch
        {
            "provider" => r => new GoString(SnapshotBuilder.ProviderOf(r.Name)),
            "priority" => r => (long)(r.Config.Priority ?? 0),
            "status" => r => new GoString(r.Status),
            "rule" => r => new GoString(r.Config.Rule),
            "service" => r => new GoString(r.Config.Service),
            "entryPoints" => r => (long)ApiJson.EntryPointsOf(r.Config).Count,
            _ => null, // "name" and anything else: by name
        };
        Sort(kept, r => r.Name, key, query);
        return kept;
    }

    public static List<ServiceView> Services(IEnumerable<ServiceView> all, IReadOnlyDictionary<string, string> query)
    {
        var criterion = SearchCriterion.From(query);
        var kept = all.Where(s => criterion is null || (criterion.WithStatus(s.Status) && criterion.SearchIn(s.Name))).ToList();
        Func<ServiceView, IComparable>? key = query.GetValueOrDefault("sortBy") switch
        {
            "type" => s => new GoString(ApiJson.TypeOf(s.Config)),
            "servers" => s => (long)(s.Config.LoadBalancer?.Servers.Count ?? 0),
            "provider" => s => new GoString(SnapshotBuilder.ProviderOf(s.Name)),
            "status" => s => new GoString(s.Status),
            _ => null,
        };
        Sort(kept, s => s.Name, key, query);
        return kept;
    }

    /// <summary>
    /// Traefik's pagination(): page and per_page default to 1 and 100 and must be positive integers; a page
    /// starting at or past the end is an error unless it is the first; the next page is 1 after the last.
    /// </summary>
    public static bool TryPage(IReadOnlyDictionary<string, string> query, int total, out PageInfo page, out string error)
    {
        page = default;
        if (!TryPositive(query, "per_page", DefaultPerPage, out var perPage, out error) || !TryPositive(query, "page", DefaultPage, out var number, out error))
        {
            return false;
        }

        // Int128: Go's int arithmetic would wrap here for absurd values; past the end is the honest answer.
        var start = (Int128)(number - 1) * perPage;
        if (start != 0 && start >= total)
        {
            error = $"invalid request: page: {number}, per_page: {perPage}";
            return false;
        }

        var end = Int128.Min(start + perPage, total);
        var next = (Int128)number * perPage < total ? number + 1 : 1;
        page = new PageInfo((int)start, (int)end, next);
        return true;
    }

    private static bool TryPositive(IReadOnlyDictionary<string, string> query, string key, long fallback, out long value, out string error)
    {
        error = "";
        if (query.GetValueOrDefault(key, "") is not { Length: > 0 } raw)
        {
            value = fallback;
            return true;
        }

        // Go prints the value Atoi returned: 0 for text, the clamp for an overflow, the number itself when <= 0.
        var parsed = GoUrl.TryAtoi(raw, out value);
        if (!parsed || value <= 0)
        {
            error = $"invalid request: {key}: {value}";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Traefik's sortByName/sortByFunc: by the key then by name; direction "asc" (the default) ascends and
    /// any other value descends, the name tie-break included.
    /// </summary>
    private static void Sort<T>(List<T> items, Func<T, string> name, Func<T, IComparable>? key, IReadOnlyDictionary<string, string> query)
    {
        var direction = query.GetValueOrDefault("direction", "") is { Length: > 0 } d ? d : "asc";
        var sign = direction == "asc" ? 1 : -1;
        items.Sort((a, b) =>
        {
            var byKey = key is null ? 0 : key(a).CompareTo(key(b));
            return sign * (byKey != 0 ? byKey : GoString.Compare(name(a), name(b)));
        });
    }

    /// <summary>A string ordered as Go's &lt; orders strings: by UTF-8 bytes (differs from UTF-16 order past U+FFFF).</summary>
    private readonly record struct GoString(string Value) : IComparable
    {
        public static int Compare(string a, string b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

        public int CompareTo(object? other) => Compare(Value, ((GoString)other!).Value);
    }
}
