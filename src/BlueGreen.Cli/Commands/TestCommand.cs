using System.CommandLine;

namespace BlueGreen.Cli.Commands;

/// <summary>
/// `test`: listed here so that `--help` shows every command (docs/reference.md, "Commands"); run.sh itself runs the suite
/// (it must build first, which a running program cannot do for itself).
/// </summary>
public static class TestCommand
{
    public static Command Build()
    {
        var command = new Command("test", "runs the whole test suite (./run.sh test builds, then runs dotnet test; extra arguments go to it)");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("run the test suite as ./run.sh test (run.sh builds the program first)");
            return 2;
        });
        return command;
    }
}
