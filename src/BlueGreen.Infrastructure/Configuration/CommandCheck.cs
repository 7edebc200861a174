using BlueGreen.Core.Configuration;

namespace BlueGreen.Infrastructure.Configuration;

/// <summary>
/// `config check`'s look at DEPLOY_CMD, TEST_CMD, PRE_SWITCH_CMD and POST_SWITCH_CMD: the program each runs first must exist and be
/// executable, found as `sh -c` would find it: on this process's PATH, or (a name with a '/') relative to
/// the home, where the commands run. Built-ins and shell constructs are not checked (<see cref="CommandProgram"/>).
/// </summary>
public static class CommandCheck
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static IEnumerable<ConfigError> Check(SiteConfig site, string homeRoot, string? path)
    {
        foreach (var (key, command) in new[] { ("DEPLOY_CMD", site.DeployCmd), ("TEST_CMD", site.TestCmd), ("PRE_SWITCH_CMD", site.PreSwitchCmd), ("POST_SWITCH_CMD", site.PostSwitchCmd) })
        {
            var program = CommandProgram.Of(command);
            if (program.Kind == ProgramKind.Program && Problem(program.Name, homeRoot, path) is { } problem)
            {
                yield return site.ErrorAt(key, $"{key}: {problem}");
            }
        }
    }

    /// <summary>Why sh could not run the program, or null when it could.</summary>
    public static string? Problem(string program, string homeRoot, string? path)
    {
        if (program.Contains('/'))
        {
            var file = Path.GetFullPath(program, homeRoot);
            return !File.Exists(file) ? $"'{program}' does not exist{(Path.IsPathRooted(program) ? "" : $" ({file}; commands run in {homeRoot})")}"
                : !IsExecutable(file) ? $"'{program}' is not executable (chmod +x {file}, or run it as sh {program})"
                : null;
        }

        string? notExecutable = null;
        foreach (var dir in (path ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var file = Path.Combine(dir, program);
            if (File.Exists(file))
            {
                if (IsExecutable(file))
                {
                    return null;
                }

                notExecutable ??= file;
            }
        }

        return notExecutable is not null
            ? $"'{program}' is found at {notExecutable} but is not executable"
            : $"program '{program}' is not found on PATH";
    }

    /// <summary>Any execute bit: who runs the command later (a service account) may differ from who checks.</summary>
    private static bool IsExecutable(string file) => OperatingSystem.IsWindows() || (File.GetUnixFileMode(file) & AnyExecute) != 0;
}
