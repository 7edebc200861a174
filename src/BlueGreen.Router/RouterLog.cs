using Microsoft.Extensions.Logging;

namespace BlueGreen.Router;

/// <summary>
/// Every line the router logs, one place (event ids stay stable for log queries). Source-generated: no
/// formatting and no boxing when a level is off. Each message is the line operators read in text mode;
/// its placeholders are the structured fields of the JSON mode. The access log has its own state
/// (<see cref="Proxy.AccessLogEntry"/>): its fields are Traefik's, more than its text line shows.
/// </summary>
internal static partial class RouterLog
{
    [LoggerMessage(1, LogLevel.Information, "router: listening on {ProxyUrl}, routes from {RoutesDir}")]
    public static partial void Listening(ILogger logger, Uri proxyUrl, string routesDir);

    [LoggerMessage(2, LogLevel.Information, "router: listening on {ProxyUrl}, API on {ApiUrl}, routes from {RoutesDir}")]
    public static partial void ListeningWithApi(ILogger logger, Uri proxyUrl, Uri apiUrl, string routesDir);

    [LoggerMessage(3, LogLevel.Information, "router: stopping (finishing requests in flight)")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(4, LogLevel.Information, "router: stopped")]
    public static partial void Stopped(ILogger logger);

    /// <param name="source">Where the snapshot was read: "3 file(s)", or "etcd revision 42".</param>
    [LoggerMessage(10, LogLevel.Information, "router: revision {Revision}: {Source}, {Routers} router(s) serving, {Services} service(s) ({Trigger})")]
    public static partial void Revision(ILogger logger, long revision, string source, int routers, int services, string trigger);

    [LoggerMessage(11, LogLevel.Information, "router: revision {Revision}: {Source}, {Routers} router(s) serving, {Services} service(s), {InError} in error ({Trigger})")]
    public static partial void RevisionWithErrors(ILogger logger, long revision, string source, int routers, int services, int inError, string trigger);

    [LoggerMessage(35, LogLevel.Error, "router: error: reading etcd failed: {Reason}")]
    public static partial void EtcdReadFailed(ILogger logger, string reason);

    [LoggerMessage(36, LogLevel.Warning, "router: etcd compacted past revision {Wanted} (now {Compacted}): reading {Prefix} again")]
    public static partial void EtcdCompacted(ILogger logger, long wanted, long compacted, string prefix);

    [LoggerMessage(37, LogLevel.Error, "router: error: etcd revision {Revision}: {Errors} ({Keeping})")]
    public static partial void EtcdRejected(ILogger logger, long revision, string errors, string keeping);

    [LoggerMessage(38, LogLevel.Error, "router: error: etcd is unreachable at {Endpoint} ({Reason}); {Serving}; retrying every endpoint")]
    public static partial void EtcdUnreachable(ILogger logger, string endpoint, string reason, string serving);

    [LoggerMessage(39, LogLevel.Information, "router: etcd answers again at {Endpoint}{Resuming}")]
    public static partial void EtcdBack(ILogger logger, string endpoint, string resuming);

    [LoggerMessage(12, LogLevel.Error, "router: error: {File}: {Errors} ({Keeping})")]
    public static partial void FileRejected(ILogger logger, string file, string errors, string keeping);

    [LoggerMessage(13, LogLevel.Error, "router: error: {File}: router {RouterName} is disabled: {Errors}")]
    public static partial void RouterDisabled(ILogger logger, string file, string routerName, string errors);

    [LoggerMessage(14, LogLevel.Error, "router: error: {File}: service {ServiceName} is disabled: {Errors}")]
    public static partial void ServiceDisabled(ILogger logger, string file, string serviceName, string errors);

    [LoggerMessage(15, LogLevel.Warning, "router: warning: {Warning}")]
    public static partial void ConfigWarning(ILogger logger, string warning);

    [LoggerMessage(16, LogLevel.Error, "router: error: cannot list {RoutesDir}: {Reason}")]
    public static partial void CannotList(ILogger logger, string routesDir, string reason);

    [LoggerMessage(17, LogLevel.Warning, "router: warning: cannot watch {RoutesDir} ({Reason}); changes are picked up by the rescan every {RescanSeconds} s")]
    public static partial void CannotWatch(ILogger logger, string routesDir, string reason, int rescanSeconds);

    [LoggerMessage(18, LogLevel.Error, "router: error: reload failed: {Reason}")]
    public static partial void ReloadFailed(ILogger logger, string reason);

    [LoggerMessage(30, LogLevel.Error, "router: error: {RequestMethod} {RequestPath} -> {ServiceName} {ServiceURL}: {ProxyError}")]
    public static partial void ProxyError(ILogger logger, string requestMethod, string requestPath, string serviceName, string serviceURL, string proxyError);

    /// <summary>The inner cause as its own field: "Connection reset by peer" is what an operator acts on.</summary>
    [LoggerMessage(31, LogLevel.Error, "router: error: {RequestMethod} {RequestPath} -> {ServiceName} {ServiceURL}: {ProxyError}: {Cause}")]
    public static partial void ProxyErrorWithCause(ILogger logger, string requestMethod, string requestPath, string serviceName, string serviceURL, string proxyError, string cause);

    /// <summary>Debug (`--verbose`): why a request got the router's own 404 or 503, for whoever is writing a rule.</summary>
    [LoggerMessage(33, LogLevel.Debug, "router: debug: {RequestMethod} {RequestHost}{RequestPath} matches no router (404)")]
    public static partial void NoRouter(ILogger logger, string requestMethod, string requestHost, string requestPath);

    [LoggerMessage(34, LogLevel.Debug, "router: debug: {RequestMethod} {RequestHost}{RequestPath}: router {RouterName} has no available server (503)")]
    public static partial void NoServer(ILogger logger, string requestMethod, string requestHost, string requestPath, string routerName);

    [LoggerMessage(32, LogLevel.Warning, "router: warning: {RequestMethod} {RequestURL}: {Cause}; sent again on a new connection")]
    public static partial void SentAgain(ILogger logger, string requestMethod, Uri? requestURL, string cause);
}
