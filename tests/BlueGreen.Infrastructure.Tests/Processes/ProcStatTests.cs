using BlueGreen.Infrastructure.Processes;

namespace BlueGreen.Infrastructure.Tests.Processes;

public sealed class ProcStatTests
{
    [Theory]
    // A command name may hold spaces and parentheses: the fields start after the last ')'.
    [InlineData("4242 (sleep) S 1 4240 4240 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 987654 2314240 128 18446744073709551615", 'S', 4240, "987654")]
    [InlineData("77 (a) b) (c) Z 1 70 70 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 5 0 0 0", 'Z', 70, "5")]
    [InlineData("9 (x y) R 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 123 0 0 0", 'R', 9, "123")]
    public void A_stat_line_gives_state_group_and_start_time(string line, char state, int group, string start)
    {
        var stat = ProcStat.TryParse(line);

        Assert.Equal(new ProcStat(state, group, start), stat);
        Assert.Equal(state == 'Z', stat!.Value.IsZombie);
    }

    [Theory]
    [InlineData("")]
    [InlineData("4242 sleep S 1 4240")]                        // no command name in parentheses
    [InlineData("4242 (sleep)")]                               // nothing after it
    [InlineData("4242 (sleep) S 1 4240 4240 0")]               // cut short before the start time
    [InlineData("4242 (sleep) S 1 grp 4240 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 987654 0")] // no number for the group
    [InlineData("4242 (sleep) SS 1 4240 4240 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 987654 0")] // a state is one letter
    public void A_line_that_is_not_a_stat_line_reads_as_none(string line)
    {
        Assert.Null(ProcStat.TryParse(line));
    }

    [Fact]
    public void This_process_reads_as_running_and_a_pid_that_cannot_exist_does_not()
    {
        Assert.True(ProcStat.IsRunning(Environment.ProcessId));
        Assert.Contains(ProcStat.All(), p => p.Pid == Environment.ProcessId && p.Stat.Group > 0);
        // Above the kernel's pid_max: no process can have it.
        Assert.False(ProcStat.IsRunning(int.MaxValue));
    }
}
