using System.Text;
using Microsoft.Extensions.Logging;

namespace BlueGreen.Testing;

/// <summary>One event as logged: its message and its structured fields.</summary>
public sealed record LoggedEvent(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Fields);

/// <summary>
/// An in-memory logger for in-process routers and cockpits: <see cref="Text"/> holds each event's message
/// on its own line, as the text mode prints it; <see cref="Events"/> the structured fields. The levels are
/// the product's defaults (Information; Microsoft.* from Warning, Yarp.* from Error). Thread-safe.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly StringBuilder _text = new();
    private readonly List<LoggedEvent> _events = [];

    public LogCapture()
    {
        Factory = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Yarp", LogLevel.Error)
            .AddProvider(this));
    }

    /// <summary>The factory to hand to EmbeddedRouter/CockpitHost.</summary>
    public ILoggerFactory Factory { get; }

    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    public IReadOnlyList<LoggedEvent> Events
    {
        get
        {
            lock (_text)
            {
                return [.. _events];
            }
        }
    }

    public ILogger<T> For<T>() => Factory.CreateLogger<T>();

    public override string ToString() => Text;

    ILogger ILoggerProvider.CreateLogger(string categoryName) => new Logger(this, categoryName);

    void IDisposable.Dispose()
    {
    }

    private void Add(LoggedEvent e)
    {
        lock (_text)
        {
            _events.Add(e);
            _text.Append(e.Message).Append('\n');
        }
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Read now, as the console logger does: the state may point at a request that is about to be recycled.
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
                : new Dictionary<string, object?>(StringComparer.Ordinal);
            capture.Add(new LoggedEvent(category, logLevel, formatter(state, exception), fields));
        }
    }
}
