using BlueGreen.Testing;

namespace BlueGreen.Cockpit.Tests.Support;

/// <summary>A test home in admin mode with a private token file.</summary>
public static class AdminHome
{
    /// <summary>Made as the docs say (head -c 32 /dev/urandom | base64): the cockpit refuses a guessable one.</summary>
    public const string Token = "/wlnayXQJBhYV+NqWthyKPxTcClojVrVZDzPo3oqJXQ=";

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
