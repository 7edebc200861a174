namespace BlueGreen.Router;

/// <summary>How the embedded router runs. Listen and ApiListen are "HOST:PORT" (port 0 picks a free one).</summary>
/// <param name="ApiListen">Where the Traefik-shaped API answers; null = no API.</param>
public sealed record RouterOptions(string RoutesDir, string Listen, string? ApiListen, bool AccessLog);
