using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace BlueGreen.Cli.Logging;

public enum LogFormat
{
    /// <summary>The human-readable lines, one per event (the access log in common log format).</summary>
    Text,

    /// <summary>One JSON object per line: timestamp, level, category, message and the event's fields.</summary>
    Json,
}

/// <summary>
/// How the long-running commands (router, cockpit) log. Resolved from the command line and the environment
/// by a pure function, then turned into a console logger factory.
/// </summary>
public sealed record ServiceLogging(LogLevel Level, LogFormat Format)
{
    public const string LevelVariable = "BLUEGREEN_LOG_LEVEL";
    public const string FormatVariable = "BLUEGREEN_LOG_FORMAT";

    private static readonly LogLevel[] Levels = [LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error];

    public static Option<string?> FormatOption() => new("--log-format")
    {
        Description = $"text (default) or json: one JSON object per log line (also {FormatVariable})",
        HelpName = "FORMAT",
    };

    public static Option<bool> VerboseOption() => new("--verbose")
    {
        Description = $"log at Debug level (also {LevelVariable}=Trace|Debug|Information|Warning|Error)",
    };

    /// <summary>
    /// What a long-running service (router, cockpit) needs before it starts: the home with its settings, and its
    /// logging. Null after a one-line error (exit 2), prefixed with <paramref name="service"/> for a logging error.
    /// </summary>
    public static (Commands.CliContext Context, ServiceLogging Logging)? ForService(ParseResult parse, string service, Option<string?> format, Option<bool> verbose)
    {
        var context = Commands.CliContext.Create(parse, json: false);
        if (context is null)
        {
            return null;
        }

        var (logging, error) = Resolve(parse.GetValue(format), parse.GetValue(verbose), Environment.GetEnvironmentVariable);
        if (logging is null)
        {
            Console.Error.WriteLine($"{service}: {error}");
            return null;
        }

        return (context, logging);
    }

    /// <summary>
    /// The option wins over the environment. --verbose lowers the level to Debug, never raises it
    /// (BLUEGREEN_LOG_LEVEL=Trace --verbose stays Trace).
    /// </summary>
    /// <returns>The settings, or a one-line error naming the option or variable.</returns>
    public static (ServiceLogging? Settings, string? Error) Resolve(string? formatOption, bool verbose, Func<string, string?> environment)
    {
        var level = LogLevel.Information;
        if (environment(LevelVariable) is { Length: > 0 } levelText)
        {
            var parsed = Levels.Where(l => string.Equals(l.ToString(), levelText.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
            if (parsed.Count == 0)
            {
                return (null, $"{LevelVariable}: '{OperatorInputText(levelText)}' is not a log level (Trace, Debug, Information, Warning or Error)");
            }

            level = parsed[0];
        }

        if (verbose && level > LogLevel.Debug)
        {
            level = LogLevel.Debug;
        }

        var (formatText, source) = formatOption is not null ? (formatOption, "--log-format") : (environment(FormatVariable), FormatVariable);
        LogFormat format;
        switch (formatText?.Trim().ToLowerInvariant())
        {
            case null or "" or "text":
                format = LogFormat.Text;
                break;
            case "json":
                format = LogFormat.Json;
                break;
            default:
                return (null, $"{source}: '{OperatorInputText(formatText!)}' is not a log format (text or json)");
        }

        return (new ServiceLogging(level, format), null);
    }

    /// <summary>
    /// Kestrel's and ASP.NET's categories log from Warning up (as quiet as before structured logging),
    /// unless the chosen level is higher still.
    /// </summary>
    public LogLevel FrameworkLevel => Level > LogLevel.Warning ? Level : LogLevel.Warning;

    /// <summary>
    /// YARP's from Error up: it reports every failed forward as a Warning with a stack trace, and the router
    /// logs the same failure itself, once, with its inner cause (`router: error: ...`).
    /// </summary>
    public LogLevel ForwarderLevel => Level > LogLevel.Error ? Level : LogLevel.Error;

    /// <param name="toStandardError">Every line to stderr (the cockpit, whose stdout is its banner) rather than stdout.</param>
    public ILoggerFactory CreateFactory(bool toStandardError) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(Level);
        builder.AddFilter("Microsoft", FrameworkLevel);
        builder.AddFilter("Yarp", ForwarderLevel);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, PlainTextFormatter>());
        builder.AddConsole(o =>
        {
            o.FormatterName = Format == LogFormat.Json ? ConsoleFormatterNames.Json : PlainTextFormatter.FormatterName;
            o.LogToStandardErrorThreshold = toStandardError ? LogLevel.Trace : LogLevel.None;
        });
        if (Format == LogFormat.Json)
        {
            builder.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                // Log lines, not HTML: "+", ">" and non-ASCII text stay readable instead of \u002B escapes.
                o.JsonWriterOptions = new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        }
    });

    private static string OperatorInputText(string text) => BlueGreen.Core.Input.OperatorInput.Printable(text, 40);
}

/// <summary>
/// Text mode: the event's message alone, one line, as the router and the cockpit printed before structured
/// logging. Lines from other categories (Kestrel, YARP) say where they come from; an exception adds its
/// message, never its stack trace.
/// </summary>
internal sealed class PlainTextFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "bluegreen-text";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        if (!logEntry.Category.StartsWith("BlueGreen.", StringComparison.Ordinal))
        {
            textWriter.Write($"{logEntry.Category}: {logEntry.LogLevel.ToString().ToLowerInvariant()}: ");
        }

        textWriter.Write(message);
        if (logEntry.Exception is not null)
        {
            textWriter.Write($": {logEntry.Exception.Message}");
        }

        textWriter.Write('\n');
    }
}
