using System.Diagnostics;
using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Infrastructure.Locking;

namespace BlueGreen.Infrastructure.Tests;

/// <summary>
/// The entry point of this test assembly when it is started as a child process (`dotnet exec
/// BlueGreen.Infrastructure.Tests.dll COMMAND ...`): lets tests use real separate processes.
/// </summary>
public static class HelperProgram
{
    public static int Main(string[] args)
    {
        switch (args)
        {
            case ["lock", var locksDir, var name]:
                // Takes the lock, says so, then holds it until killed.
                using (new FileLock(locksDir).Acquire(name, LockHolder.Current("helper lock", DateTimeOffset.UtcNow)))
                {
                    Console.Out.WriteLine("locked");
                    Console.Out.Flush();
                    Thread.Sleep(Timeout.Infinite);
                }

                return 0;
            case ["flock", var path, var mode, var timeoutMs]:
                // Says it is about to wait, takes the flock within the timeout (or says it timed out), then holds it until killed.
                Console.Out.WriteLine("waiting");
                Console.Out.Flush();
                try
                {
                    using (Flock.Take(path, mode == "shared" ? FlockMode.Shared : FlockMode.Exclusive, TimeSpan.FromMilliseconds(int.Parse(timeoutMs))))
                    {
                        Console.Out.WriteLine("locked");
                        Console.Out.Flush();
                        Thread.Sleep(Timeout.Infinite);
                    }
                }
                catch (FlockTimeoutException)
                {
                    Console.Out.WriteLine("timeout");
                    Console.Out.Flush();
                    return 3;
                }

                return 0;
            case ["journal", var root, var countText, var tag]:
                var journal = new JournalFile(Home.At(root), TimeProvider.System);
                for (var i = 0; i < int.Parse(countText); i++)
                {
                    journal.Append(new JournalEntry { Site = tag, Action = "deploy", Outcome = JournalOutcome.Succeeded, Message = $"{tag} #{i}" });
                }

                return 0;
            default:
                Console.Error.WriteLine("usage: lock LOCKS_DIR NAME | flock PATH shared|exclusive TIMEOUT_MS | journal HOME COUNT TAG");
                return 2;
        }
    }

    /// <summary>Starts this assembly as a helper process with the given arguments.</summary>
    public static Process Start(params string[] args)
    {
        // Standard input redirected (and closed below): a child that inherits the test host's input may
        // block in console set-up, so its first line of output never comes.
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(HelperProgram).Assembly.Location);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.StandardInput.Close();
        return process;
    }
}
