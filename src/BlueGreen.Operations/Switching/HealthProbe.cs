using BlueGreen.Core.Configuration;
using BlueGreen.Core.Slots;

namespace BlueGreen.Operations.Switching;

/// <summary>One health probe of a slot "right now", before a switch.</summary>
internal static class HealthProbe
{
    public static async Task<(bool Healthy, string Detail)> CheckAsync(HttpClient http, SiteConfig site, Slot slot, CancellationToken ct)
    {
        var url = new Uri(site.UrlOf(slot), site.HealthPath);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(site.HealthTimeout);
        try
        {
            using var response = await http.GetAsync(url, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if ((int)response.StatusCode != site.HealthStatus)
            {
                return (false, $"{url} answered {(int)response.StatusCode}, expected {site.HealthStatus}");
            }

            if (site.HealthBody.Length > 0 && !body.Contains(site.HealthBody, StringComparison.Ordinal))
            {
                return (false, $"{url} answered without '{site.HealthBody}' in its body");
            }

            return (true, $"{url} answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return (false, e is OperationCanceledException ? $"{url} did not answer within {Duration.Format(site.HealthTimeout)}" : $"{url}: {e.Message}");
        }
    }
}
