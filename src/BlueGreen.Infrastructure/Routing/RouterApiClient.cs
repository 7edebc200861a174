using System.Net;
using System.Text.Json;
using BlueGreen.Core.Draining;
using BlueGreen.Core.Routing;
using BlueGreen.Core.Slots;
using BlueGreen.Core.Status;

namespace BlueGreen.Infrastructure.Routing;

/// <summary>
/// Reads Traefik's API (or the embedded router's copy of it) to see what is live: once
/// /api/http/services/SITE@file shows the new weights, the new routing serves traffic. <paramref name="provider"/> is
/// Traefik's name for where the routing came from: `file`, or `etcd` with ROUTING_STORE=etcd (<see cref="ProviderOf"/>).
/// </summary>
public sealed class RouterApiClient(Uri apiBase, HttpClient http, TimeProvider clock, string provider = "file")
{
    /// <summary>The provider whose names the router shows for the product's routing, by ROUTING_STORE.</summary>
    public static string ProviderOf(Core.Configuration.GlobalConfig global) => global.RoutingStore == Core.Configuration.RoutingStoreKind.Etcd ? "etcd" : "file";

    /// <summary>The live slot the router reports for the site; null when it has no production service.</summary>
    public async Task<(bool Reachable, Slot? Live, string Detail)> ReadLiveSlotAsync(string site, CancellationToken ct)
    {
        var (reachable, weights, detail, _) = await ReadAsync(site, ct);
        return (reachable, weights?.Only, detail);
    }

    /// <summary>The weights the router gives the site's slots; null when it has no production service, or weights on strangers.</summary>
    public async Task<(bool Reachable, SlotWeights? Weights, string Detail)> ReadWeightsAsync(string site, CancellationToken ct)
    {
        var (reachable, weights, detail, _) = await ReadAsync(site, ct);
        return (reachable, weights, detail);
    }

    /// <summary><see cref="ReadLiveSlotAsync"/>, and whether the connection was refused (nothing listens at the API's address).</summary>
    private async Task<(bool Reachable, SlotWeights? Weights, string Detail, bool Refused)> ReadAsync(string site, CancellationToken ct)
    {
        var url = new Uri(apiBase, $"/api/http/services/{Uri.EscapeDataString(site)}@{provider}");
        try
        {
            using var response = await http.GetAsync(url, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return (true, null, "the router has no such service", false);
            }

            if (!response.IsSuccessStatusCode)
            {
                return (false, null, $"{url} answered {(int)response.StatusCode}", false);
            }

            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            if (!doc.RootElement.TryGetProperty("weighted", out var weighted) || !weighted.TryGetProperty("services", out var services))
            {
                return (true, null, "the service is not weighted", false);
            }

            var children = services.EnumerateArray().Select(s => (Name: ChildName(s), Weight: WeightOf(s))).ToList();
            var weights = RoutingPlanner.WeightsOf(site, children);
            return (true, weights, $"weights: {string.Join(", ", children.Select(c => $"{c.Name}={c.Weight}"))}", false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            if (ct.IsCancellationRequested)
            {
                throw;
            }

            return (false, null, $"{url}: {e.Message}", IsRefused(e));
        }
    }

    /// <summary>
    /// What the router serves for a site: its production router (named after the site) present and not
    /// disabled, pointing at the site's weighted service, whose weights name one slot. Two GETs; a refused
    /// connection answers at once (no retry: status must say "unreachable" now, not in 10 s).
    /// </summary>
    public async Task<RouterView> ReadSiteAsync(string site, CancellationToken ct)
    {
        var url = new Uri(apiBase, $"/api/http/routers/{Uri.EscapeDataString(site)}@{provider}");
        try
        {
            using var response = await http.GetAsync(url, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return new RouterView(RouterFinding.NoRouter, null, $"{url} answered 404");
            }

            if (!response.IsSuccessStatusCode)
            {
                return RouterView.Unreachable($"{url} answered {(int)response.StatusCode}");
            }

            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var router = doc.RootElement;
            // Traefik's runtime status: enabled, warning (serves, with a remark) or disabled (serves nothing).
            if (router.TryGetProperty("status", out var status) && status.GetString() == "disabled")
            {
                var errors = router.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Array
                    ? string.Join("; ", e.EnumerateArray().Select(x => x.GetString()))
                    : "no reason given";
                return new RouterView(RouterFinding.Disabled, null, errors);
            }

            var service = router.TryGetProperty("service", out var s) ? s.GetString() ?? "" : "";
            if (service != site && service != $"{site}@{provider}")
            {
                return new RouterView(RouterFinding.NoLiveSlot, null, $"the router '{site}' points to service '{service}', not '{site}'");
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            if (ct.IsCancellationRequested)
            {
                throw;
            }

            return RouterView.Unreachable($"{url}: {e.Message}");
        }

        var (reachable, weights, detail) = await ReadWeightsAsync(site, ct);
        return !reachable ? RouterView.Unreachable(detail)
            : weights?.Only is { } slot ? RouterView.Serving(slot, detail)
            : weights is { IsSplit: true } split ? RouterView.Splitting(split, detail)
            : new RouterView(RouterFinding.NoLiveSlot, null, detail);
    }

    /// <summary>
    /// What is in flight on a load-balancer service's servers, summed, from the embedded router's `inFlight`
    /// extension (docs/embedded-router.md, "API"). Load is null when it cannot be known: the API is not
    /// reachable, has no such service, or does not report it (Traefik).
    /// </summary>
    public async Task<(SlotLoad? Load, string Detail)> ReadLoadAsync(string service, CancellationToken ct)
    {
        var url = new Uri(apiBase, $"/api/http/services/{Uri.EscapeDataString(service)}@{provider}");
        try
        {
            using var response = await http.GetAsync(url, ct);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"{url} answered {(int)response.StatusCode}");
            }

            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            if (!doc.RootElement.TryGetProperty("inFlight", out var inFlight) || inFlight.ValueKind != JsonValueKind.Object)
            {
                return (null, $"{url} does not report connections in flight (only the embedded router does)");
            }

            var servers = inFlight.EnumerateObject().Select(s => (Requests: s.Value.GetProperty("requests").GetInt32(), Streams: s.Value.GetProperty("streams").GetInt32())).ToList();
            return (new SlotLoad(servers.Sum(s => s.Requests), servers.Sum(s => s.Streams)), url.ToString());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            if (ct.IsCancellationRequested)
            {
                throw;
            }

            return (null, $"{url}: {e.Message}");
        }
    }

    /// <summary>True when nothing listens at the address (connection refused), as opposed to a slow or failing API.</summary>
    private static bool IsRefused(Exception e) =>
        e is HttpRequestException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } };

    /// <summary>A child's name without a provider suffix: the API may show `SITE-a` or `SITE-a@file`.</summary>
    private static string ChildName(JsonElement child)
    {
        var name = child.GetProperty("name").GetString() ?? "";
        var at = name.IndexOf('@');
        return at >= 0 ? name[..at] : name;
    }

    /// <summary>A child without a weight has Traefik's default weight, 1.</summary>
    private static int WeightOf(JsonElement child) => child.TryGetProperty("weight", out var w) ? w.GetInt32() : 1;

    /// <summary>Refused connections in a row after which the wait ends: nothing listens at the API's address, and polling until the timeout would only delay saying so.</summary>
    public const int RefusalsBeforeGivingUp = 3;

    /// <summary>Polls until the router shows the expected live slot (<see cref="WaitForWeightsAsync"/>).</summary>
    public Task<(bool Live, string Detail, bool Refused)> WaitForLiveSlotAsync(string site, Slot expected, TimeSpan timeout, CancellationToken ct) =>
        WaitForWeightsAsync(site, SlotWeights.AllTo(expected), timeout, ct);

    /// <summary>
    /// Polls until the router shows the expected weights (<see cref="SlotWeights.SendsLike"/>: the live slot, or a split
    /// exactly), or the timeout passes, or the connection was refused <see cref="RefusalsBeforeGivingUp"/> times in a
    /// row (the router is not running: the answer is already certain; <c>Refused</c> is then true).
    /// </summary>
    public async Task<(bool Live, string Detail, bool Refused)> WaitForWeightsAsync(string site, SlotWeights expected, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + timeout;
        var detail = "";
        var refusals = 0;
        while (true)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attempt.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                var (_, weights, d, refused) = await ReadAsync(site, attempt.Token);
                detail = d;
                if (weights is { } w && w.SendsLike(expected))
                {
                    return (true, detail, false);
                }

                refusals = refused ? refusals + 1 : 0;
                if (refusals >= RefusalsBeforeGivingUp)
                {
                    return (false, $"connection refused {refusals} times in a row at {apiBase}: the router's API is not running", true);
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                detail = "the API did not answer within 2 s";
            }

            if (clock.GetUtcNow() >= deadline)
            {
                return (false, detail, false);
            }

            // The embedded router reloads within ~10 ms of a rename: poll often, it is one small GET on loopback.
            await Task.Delay(TimeSpan.FromMilliseconds(20), clock, ct);
        }
    }
}
