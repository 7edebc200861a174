using System.CommandLine;
using BlueGreen.Cli.Output;
using BlueGreen.Infrastructure.Configuration;

namespace BlueGreen.Cli.Commands;

/// <summary>`config check`: every configuration error, with file:line, in one pass; across sites too (see ConfigLoader.CheckAll).</summary>
public static class ConfigCommand
{
    public static Command Build()
    {
        var json = CommonOptions.Json();
        var check = new Command("check", "validates conf/global.conf and every conf/sites/*.conf, across sites too (shared slot URLs and rules, DEPLOY_CMD/TEST_CMD/PRE_SWITCH_CMD/POST_SWITCH_CMD programs); lists every error with file:line") { json };
        check.SetAction(parse =>
        {
            var home = CliContext.ResolveHome(parse);
            var loaded = ConfigLoader.CheckAll(home);
            var errors = loaded.Errors.ToList();
            var warnings = loaded.Problems.Where(p => p.IsWarning).ToList();
            if (parse.GetValue(json))
            {
                Console.WriteLine(Core.Json.Serialize(
                    new ConfigCheckJson(errors.Count == 0, loaded.Sites.Keys, errors.Select(e => e.ToString()), warnings.Select(w => w.ToString())),
                    Core.Json.Indented));
                return errors.Count == 0 ? 0 : 2;
            }

            foreach (var problem in loaded.Problems)
            {
                (problem.IsWarning ? Console.Out : Console.Error).WriteLine(problem);
            }

            if (errors.Count > 0)
            {
                Console.Error.WriteLine($"config check: {errors.Count} error(s) in {home.Root}/conf");
                return 2;
            }

            Console.WriteLine($"config check: ok ({loaded.Sites.Count} site(s){(warnings.Count > 0 ? $", {warnings.Count} warning(s)" : "")})");
            return 0;
        });
        return new Command("config", "configuration commands") { check };
    }
}
