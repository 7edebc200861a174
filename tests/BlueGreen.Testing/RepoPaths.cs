namespace BlueGreen.Testing;

/// <summary>Where the repository and ../shared are, found from the test assembly's folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string RunSh => Path.Combine(Root, "run.sh");

    public static string Shared { get; } = Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string TraefikV3Schema => Path.Combine(Shared, "schemas", "traefik-v3-file-provider.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "run.sh")) && File.Exists(Path.Combine(dir.FullName, "BlueGreen.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no run.sh above {AppContext.BaseDirectory}");
    }
}
