using BlueGreen.Infrastructure.Files;
using BlueGreen.Infrastructure.Tests.Processes;

namespace BlueGreen.Infrastructure.Tests.Files;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_file_gets_the_content_and_its_folder_is_created()
    {
        var path = Path.Combine(_dir.Path, "deep", "er", "state.json");

        AtomicFile.Write(path, "héllo\n");

        Assert.Equal("héllo\n", File.ReadAllText(path));
    }

    [Fact]
    public void A_rewrite_replaces_the_whole_content()
    {
        var path = _dir.File("f.txt");
        AtomicFile.Write(path, new string('x', 10_000));

        AtomicFile.Write(path, "short");

        Assert.Equal("short", File.ReadAllText(path));
    }

    [Fact]
    public void No_temp_file_is_left_beside_the_target()
    {
        var path = _dir.File("bluegreen-shop.yml");

        for (var i = 0; i < 5; i++)
        {
            AtomicFile.Write(path, $"v{i}");
        }

        Assert.Equal(["bluegreen-shop.yml"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void With_a_temp_folder_the_temp_file_goes_there_and_is_not_left_either()
    {
        var path = _dir.File("routes/bluegreen-shop.yml");
        var temp = _dir.File("routes/.bluegreen-tmp");

        AtomicFile.Write(path, "content", temp);

        Assert.Equal("content", File.ReadAllText(path));
        Assert.Empty(Directory.GetFileSystemEntries(temp));
        Assert.Equal([".bluegreen-tmp", "bluegreen-shop.yml"], Directory.GetFileSystemEntries(_dir.File("routes")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_failed_write_leaves_the_target_as_it_was_and_no_temp_file()
    {
        var path = _dir.File("target");
        AtomicFile.Write(path, "old");
        var tempDir = _dir.File("not-a-dir");
        File.WriteAllText(tempDir, "a file where the temp folder should be");

        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, "new", tempDir));

        Assert.Equal("old", File.ReadAllText(path));
    }

    [Fact]
    public void A_concurrent_reader_only_ever_sees_the_whole_old_or_the_whole_new_content()
    {
        var path = _dir.File("bluegreen-shop.yml");
        var contents = new[] { new string('a', 200_000) + "\nend-a\n", new string('b', 150_000) + "\nend-b\n" };
        AtomicFile.Write(path, contents[0]);
        var bad = new List<string>();
        var reads = 0;
        using var done = new CancellationTokenSource();
        using var reading = new ManualResetEventSlim();

        var reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                var text = File.ReadAllText(path);
                Interlocked.Increment(ref reads);
                reading.Set();
                if (text != contents[0] && text != contents[1])
                {
                    bad.Add($"length {text.Length}, starts {text[..Math.Min(10, text.Length)]}");
                }
            }
        });

        // The writes start once the reader runs: on a loaded machine the reader task may start late.
        Assert.True(reading.Wait(TimeSpan.FromSeconds(30)), "the reader never started");
        for (var i = 1; i <= 200; i++)
        {
            AtomicFile.Write(path, contents[i % 2]);
        }

        done.Cancel();
        reader.Wait();

        Assert.Empty(bad);
        Assert.True(reads > 0);
        Assert.Equal(contents[0], File.ReadAllText(path));
    }
}
