using BlueGreen.Core.Configuration;
using BlueGreen.Infrastructure;

namespace BlueGreen.Cockpit.Hosting;

/// <summary>What the cockpit runs with. Listen, RunSh and Clock override the configuration (tests, bench).</summary>
public sealed record CockpitOptions(Home Home, GlobalConfig Global)
{
    /// <summary>host:port; port 0 lets the OS choose. Default: COCKPIT_LISTEN.</summary>
    public string? Listen { get; init; }

    /// <summary>The run.sh the admin actions call. Default: $BLUEGREEN_RUN_SH, else the run.sh above the running assembly.</summary>
    public string? RunSh { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How often live slots are probed in the background (the pages never wait for a probe).</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(5);

    public string EffectiveListen => Listen ?? Global.CockpitListen;

    public CockpitMode Mode => Global.CockpitMode;
}

/// <summary>The cockpit refused to start; Message says why in an operator's words.</summary>
public sealed class CockpitStartException(string message) : Exception(message);
