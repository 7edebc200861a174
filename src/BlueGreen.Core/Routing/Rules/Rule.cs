namespace BlueGreen.Core.Routing.Rules;

/// <summary>A parsed Traefik rule: matchers combined with &&, || and !.</summary>
public abstract record Rule;

public sealed record MatcherRule(string Name, IReadOnlyList<string> Arguments) : Rule
{
    public override string ToString() => $"{Name}({string.Join(", ", Arguments.Select(a => $"`{a}`"))})";
}

public sealed record AndRule(Rule Left, Rule Right) : Rule
{
    public override string ToString() => $"({Left} && {Right})";
}

public sealed record OrRule(Rule Left, Rule Right) : Rule
{
    public override string ToString() => $"({Left} || {Right})";
}

public sealed record NotRule(Rule Inner) : Rule
{
    public override string ToString() => $"!{Inner}";
}
