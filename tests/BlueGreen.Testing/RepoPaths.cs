namespace BlueGreen.Testing;

/// <summary>Where the repository and its test fixtures are, found from the test assembly's folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string RunSh => Path.Combine(Root, "run.sh");

    /// <summary>Files copied from other projects; tests/fixtures/PROVENANCE.md says where each came from.</summary>
    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    public static string TraefikV3Schema => Path.Combine(Fixtures, "traefik-v3-file-provider.json");

    /// <summary>One of Traefik's own API answers (from its pkg/api/testdata), e.g. "service-bar.json".</summary>
    public static string TraefikApiSample(string name) => Path.Combine(Fixtures, "traefik-api-samples", name);

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
