using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests.Support;

/// <summary>A test home in admin mode with a private token file.</summary>
public static class AdminHome
{
    public const string Token = "test-admin-token-0123456789abcdef0123456789";

    public static TempHome Create(string token = Token, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite, bool writeToken = true, string extra = "")
    {
        var home = new TempHome($"ROUTER_API=\nCOCKPIT_MODE=admin\n{extra}");
        if (writeToken)
        {
            var path = home.Path_("conf", "cockpit.token");
            File.WriteAllText(path, token + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, mode);
            }
        }

        return home;
    }
}
