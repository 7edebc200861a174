using BlueGreen.Core.Routing;

namespace BlueGreen.Core.Tests.Routing;

public sealed class RoutingFileFormatTests
{
    [Fact]
    public void A_config_survives_a_round_trip_through_yaml()
    {
        var config = new DynamicConfig
        {
            Http = new HttpConfig
            {
                Routers = new() { ["r"] = new RouterConfig { Rule = "Host(`a`) && Path(`/x`)", Service = "s", EntryPoints = ["web"], Priority = 5 } },
                Services = new()
                {
                    ["s"] = new ServiceConfig { Weighted = new WeightedConfig { Services = [new() { Name = "s-a", Weight = 0 }, new() { Name = "s-b", Weight = 1 }] } },
                    ["s-a"] = new ServiceConfig { LoadBalancer = new LoadBalancerConfig { Servers = [new() { Url = "http://h:1" }], PassHostHeader = true } },
                },
            },
        };

        var yaml = RoutingFileFormat.Serialize(config, ["one", "two"]);
        var (back, error) = RoutingFileFormat.Parse(yaml);

        Assert.Null(error);
        Assert.StartsWith("# one\n# two\n", yaml);
        Assert.Equal(yaml, RoutingFileFormat.Serialize(back!, ["one", "two"]));
        var router = back!.Http!.Routers!["r"];
        Assert.Equal(("Host(`a`) && Path(`/x`)", "s", 5), (router.Rule, router.Service, router.Priority));
        Assert.Equal(["web"], router.EntryPoints!);
        Assert.Equal([("s-a", 0), ("s-b", 1)], back.Http.Services!["s"].Weighted!.Services.Select(s => (s.Name, s.Weight)));
        Assert.Equal("http://h:1", back.Http.Services["s-a"].LoadBalancer!.Servers[0].Url);
        Assert.True(back.Http.Services["s-a"].LoadBalancer!.PassHostHeader);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    public void An_empty_file_is_an_error(string text)
    {
        var (config, error) = RoutingFileFormat.Parse(text);

        Assert.Null(config);
        Assert.Equal("the file is empty", error);
    }

    [Fact]
    public void A_file_of_comments_only_holds_no_configuration()
    {
        var (config, error) = RoutingFileFormat.Parse("# nothing here\n");

        Assert.Null(config);
        Assert.Equal("the file holds no configuration", error);
    }

    [Theory]
    [InlineData("http:\n  routers:\n    r:\n      rule: Host(`a`)\n      service: [unclosed\n", 5)]
    [InlineData("http:\n  routers:\n    r:\n      unknownKey: 1\n", 4)]
    [InlineData("http:\n  services:\n    s:\n      weighted:\n        services:\n          - name: s-a\n            weight: heavy\n", 7)]
    [InlineData("http:\n  routers: [1, 2\n", 2)]
    public void A_file_that_does_not_parse_is_an_error_with_its_line(string text, int line)
    {
        var (config, error) = RoutingFileFormat.Parse(text);

        Assert.Null(config);
        Assert.StartsWith($"line {line}, column ", error);
    }

    [Fact]
    public void The_yaml_is_the_text_the_reflection_serializer_wrote()
    {
        // Captured from YamlDotNet's reflection serializer before the switch to the low-level emitter:
        // routing files written by earlier versions and by this one are byte-identical.
        var config = new DynamicConfig
        {
            Http = new HttpConfig
            {
                Routers = new() { ["true"] = new RouterConfig { Rule = "a: b", Service = "", EntryPoints = ["123", "x #y"], Priority = -2 } },
                Services = new()
                {
                    ["'q'"] = new ServiceConfig { Weighted = new WeightedConfig { Services = [new() { Name = "\"dq\"", Weight = 0 }] } },
                    ["lb"] = new ServiceConfig { LoadBalancer = new LoadBalancerConfig { Servers = [], PassHostHeader = false } },
                    ["empty"] = new ServiceConfig(),
                },
            },
        };

        var yaml = RoutingFileFormat.Serialize(config, ["head"]);

        Assert.Equal(
            "# head\nhttp:\n  routers:\n    true:\n      entryPoints:\n      - 123\n      - 'x #y'\n      rule: 'a: b'\n      service: ''\n      priority: -2\n"
            + "  services:\n    \"'q'\":\n      weighted:\n        services:\n        - name: '\"dq\"'\n          weight: 0\n"
            + "    lb:\n      loadBalancer:\n        servers: []\n        passHostHeader: false\n    empty: {}\n",
            yaml);
    }

    [Fact]
    public void A_key_given_twice_is_an_error_with_its_line()
    {
        var (config, error) = RoutingFileFormat.Parse("http:\n  routers:\n    r:\n      rule: a\n    r:\n      rule: b\n");

        Assert.Null(config);
        Assert.StartsWith("line 5, column 5: ", error);
    }
}
