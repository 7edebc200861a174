using BlueGreen.Core.Routing;
using BlueGreen.Core.Routing.Rules;
using BlueGreen.Router.Configuration;
using BlueGreen.Router.Tests.Support;
using BlueGreen.Testing;

namespace BlueGreen.Router.Tests;

/// <summary>Validation of one file and the merge of files into a snapshot, without sockets.</summary>
public sealed class ConfigurationTests
{
    private static DynamicConfig Parse(string yaml) => RoutingFileFormat.Parse(yaml).Config ?? throw new InvalidOperationException(RoutingFileFormat.Parse(yaml).Error);

    private static IReadOnlyList<string> Validate(string yaml) => DynamicConfigValidator.Validate(Parse(yaml), RuleParser.EmbeddedMatchers);

    [Fact]
    public void A_valid_file_has_no_errors()
    {
        Assert.Empty(Validate(Yaml.Simple("site", "Host(`a.test`) && (PathPrefix(`/x`) || Path(`/y`))", "http://127.0.0.1:7001")));
    }

    [Theory]
    [InlineData("Host(`a.test`", "router site: rule \"Host(`a.test`\": expected ')'")]
    [InlineData("Host(`a.test`, `b.test`)", "takes exactly 1 argument, not 2")]
    [InlineData("Nope(`x`)", "unknown matcher Nope")]
    public void A_bad_rule_is_named_with_its_router(string rule, string expected)
    {
        Assert.Contains(Validate(Yaml.Simple("site", rule, "http://127.0.0.1:7001")), e => e.Contains(expected));
    }

    [Fact]
    public void Bad_services_are_named()
    {
        var errors = Validate(Yaml.File(
            [Yaml.Router("r", "Host(`a.test`)", "w")],
            [Yaml.LoadBalancer("lb", null, "not-a-url"), Yaml.Weighted("w", ("lb", -1))]));
        Assert.Contains(errors, e => e.Contains("service lb: server url \"not-a-url\""));
        Assert.Contains(errors, e => e.Contains("service w: child lb has a negative weight"));
    }

    [Fact]
    public void A_file_with_nothing_in_it_is_invalid()
    {
        Assert.Contains(Validate("http: {}\n"), e => e.Contains("no HTTP router or service"));
    }

    [Fact]
    public void Orders_routes_by_explicit_priority_then_rule_length_and_disables_routers_with_broken_services()
    {
        var file = Parse(Yaml.File(
            [
                Yaml.Router("short", "Host(`a.test`)", "lb"),
                Yaml.Router("long", "Host(`a.test`) && PathPrefix(`/long`)", "lb"),
                Yaml.Router("explicit", "Host(`a.test`)", "lb", priority: 500),
                Yaml.Router("orphan", "Host(`b.test`)", "missing"),
                Yaml.Router("loop", "Host(`c.test`)", "w1"),
            ],
            [Yaml.LoadBalancer("lb", null, "http://127.0.0.1:7001"), Yaml.Weighted("w1", ("w2", 1)), Yaml.Weighted("w2", ("w1", 1))]));
        var snapshot = SnapshotBuilder.Build(1, [new GoodFile("f.yml", file)]);

        Assert.Equal(["explicit@file", "long@file", "short@file"], snapshot.Routes.Select(r => r.Name));
        Assert.Contains("does not exist", snapshot.Routers["orphan@file"].Errors.Single());
        Assert.False(snapshot.Routers["loop@file"].Enabled);
        Assert.Contains(snapshot.Services["w1@file"].Errors, e => e.Contains("cycle"));
        Assert.Equal(["explicit@file", "long@file", "short@file"], snapshot.Services["lb@file"].UsedBy);
    }

    [Fact]
    public void A_duplicate_name_keeps_the_definition_of_the_first_file_in_name_order()
    {
        var first = Parse(Yaml.Simple("dup", "Host(`first.test`)", "http://127.0.0.1:7001"));
        var second = Parse(Yaml.Simple("dup", "Host(`second.test`)", "http://127.0.0.1:7002"));
        var third = Parse(Yaml.Simple("dup", "Host(`third.test`)", "http://127.0.0.1:7003"));
        // Traefik reads a directory in file name order (os.ReadDir), whatever order the files came in.
        var snapshot = SnapshotBuilder.Build(1, [new GoodFile("b.yml", second), new GoodFile("c.yaml", third), new GoodFile("a.yml", first)]);

        var router = snapshot.Routers["dup@file"];
        Assert.Equal("Host(`first.test`)", router.Config.Rule);
        Assert.True(router.Enabled);
        Assert.Equal("warning", router.Status);
        Assert.Equal(
            ["HTTP router dup@file already configured in a.yml, skipping the definition in b.yml", "HTTP router dup@file already configured in a.yml, skipping the definition in c.yaml"],
            router.Warnings);
        Assert.Equal("http://127.0.0.1:7001", snapshot.Services["dup@file"].Config.LoadBalancer!.Servers.Single().Url);
        Assert.Equal(["dup@file"], snapshot.Routes.Select(r => r.Name));
        var request = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        request.Request.Host = new Microsoft.AspNetCore.Http.HostString("first.test");
        request.Request.Path = "/";
        Assert.True(snapshot.Routes.Single().Matches(new BlueGreen.Router.Proxy.RequestFacts(request)));
    }

    [Fact]
    public void The_periodic_rescan_notices_a_changed_file_by_size_and_mtime_without_any_file_event()
    {
        var dir = Directory.CreateTempSubdirectory("bg-router-loader").FullName;
        try
        {
            var holder = new SnapshotHolder();
            var log = new LogCapture();
            var loader = new RoutesLoader(dir, holder, log.For<RoutesLoader>());
            File.WriteAllText(Path.Combine(dir, "a.yml"), Yaml.Simple("a", "Host(`a.test`)", "http://127.0.0.1:7001"));
            Assert.True(loader.Scan(reread: true));
            Assert.False(loader.Scan(reread: false));

            File.WriteAllText(Path.Combine(dir, "a.yml"), Yaml.Simple("a", "Host(`a.test`) && PathPrefix(`/v2`)", "http://127.0.0.1:7001"));
            Assert.True(loader.Scan(reread: false));
            Assert.Equal(2, holder.Current.Revision);
            Assert.Contains("PathPrefix", holder.Current.Routers["a@file"].Config.Rule);

            File.WriteAllText(Path.Combine(dir, "a.yml"), "http:\n  routers: [\n");
            Assert.False(loader.Scan(reread: false)); // invalid: no new revision, last good kept
            Assert.Equal(2, holder.Current.Revision);
            Assert.Contains("a.yml: line", log.Text);

            File.Delete(Path.Combine(dir, "a.yml"));
            Assert.True(loader.Scan(reread: false));
            Assert.Empty(holder.Current.Routes);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
