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
        var stat = ProcStat.Parse(line);

        Assert.Equal(new ProcStat(state, group, start), stat);
        Assert.Equal(state == 'Z', stat.IsZombie);
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
