using System.CommandLine;
using BlueGreen.Cli.Demo;
using BlueGreen.Cli.Output;

namespace BlueGreen.Cli.Commands;

/// <summary>`demo`: the full cycle, live, on the embedded router; exits 0 only when every step held.</summary>
public static class DemoCommand
{
    public static Command Build()
    {
        var keep = new Option<bool>("--keep") { Description = "leave the router and the sample app running at the end (prints how to stop them)" };
        var command = new Command("demo", "the full blue/green cycle, live, on the embedded router, in a throw-away home") { keep };
        command.SetAction(async (parse, ct) =>
        {
            var runSh = Environment.GetEnvironmentVariable("BLUEGREEN_RUN_SH");
            if (runSh is null || !File.Exists(runSh))
            {
                Console.Error.WriteLine("demo: start it through ./run.sh demo");
                return 2;
            }

            var terminal = new Terminal(json: false, assumeYes: true);
            var demo = new DemoRunner(terminal, runSh, Path.GetDirectoryName(runSh)!, parse.GetValue(keep));
            return await demo.RunAsync(ct);
        });
        return command;
    }
}
