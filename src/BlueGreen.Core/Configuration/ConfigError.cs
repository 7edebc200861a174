namespace BlueGreen.Core.Configuration;

/// <summary>A configuration problem, located so that an operator can go straight to it.</summary>
public sealed record ConfigError(string File, int Line, string Message, bool IsWarning = false)
{
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}: {(IsWarning ? "warning: " : "")}{Message}" : $"{File}: {(IsWarning ? "warning: " : "")}{Message}";
}
