using Microsoft.Extensions.Logging;

namespace BlueGreen.Cockpit.Hosting;

/// <summary>
/// Every line the cockpit logs, one place (stable event ids). Each message is the line operators read in
/// text mode; its placeholders are the structured fields of the JSON mode.
/// </summary>
internal static partial class CockpitLog
{
    [LoggerMessage(1, LogLevel.Information, "cockpit: listening on {Url} ({Mode})")]
    public static partial void Listening(ILogger logger, Uri url, string mode);

    [LoggerMessage(10, LogLevel.Information, "cockpit: {Session} runs {RunSh} {Arguments}")]
    public static partial void RunShStarted(ILogger logger, string session, string runSh, string arguments);

    [LoggerMessage(11, LogLevel.Information, "cockpit: {CommandLine} exited {ExitCode} after {Seconds:0.0}s")]
    public static partial void RunShExited(ILogger logger, string commandLine, int exitCode, double seconds);

    [LoggerMessage(20, LogLevel.Warning, "cockpit: login {Outcome} ({Entry}) not journaled: {Reason}")]
    public static partial void LoginNotJournaled(ILogger logger, string outcome, string? entry, string reason);

    [LoggerMessage(30, LogLevel.Warning, "cockpit: health probe round failed: {Reason}")]
    public static partial void HealthRoundFailed(ILogger logger, string reason);
}
