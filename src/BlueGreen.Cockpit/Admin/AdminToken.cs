using System.Security.Cryptography;
using System.Text;

namespace BlueGreen.Cockpit.Admin;

/// <summary>The admin secret: checked once at start (exists, private, hard to guess), then compared in constant time.</summary>
internal sealed class AdminToken
{
    private const UnixFileMode NotPrivate =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly byte[] _hash;

    private AdminToken(string token) => _hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Loads the token file or throws with the reason admin mode cannot start.</summary>
    public static AdminToken Load(string path)
    {
        var makeOne = $"{TokenStrength.MakeOne} > {path} && chmod 600 {path}";
        if (!File.Exists(path))
        {
            throw new Hosting.CockpitStartException(
                $"admin mode needs a token file, and {path} does not exist (COCKPIT_ADMIN_TOKEN_FILE). Create it with: {makeOne}");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & NotPrivate) != 0)
        {
            throw new Hosting.CockpitStartException(
                $"admin mode refuses a token file that others can read or write: {path} has mode {Octal(File.GetUnixFileMode(path))}; run: chmod 600 {path}");
        }

        var token = File.ReadAllText(path).Trim();
        if (TokenStrength.Weakness(token) is { } weakness)
        {
            throw new Hosting.CockpitStartException(
                $"admin mode refuses the token in {path}: {weakness}. Make a random one with: {makeOne}");
        }

        return new AdminToken(token);
    }

    /// <summary>Constant time: both sides are hashed first, so not even the length leaks.</summary>
    public bool Matches(string? candidate) =>
        CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes((candidate ?? "").Trim())));

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
