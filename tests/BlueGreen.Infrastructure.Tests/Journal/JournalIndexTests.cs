using BlueGreen.Core.Journal;
using BlueGreen.Infrastructure.Journal;
using BlueGreen.Testing;

namespace BlueGreen.Infrastructure.Tests.Journal;

public sealed class JournalIndexTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private JournalFile Journal(bool inMemory = false) => new(Home.At(_home.Root), TimeProvider.System, 4096) { DerivedInMemory = inMemory };

    private static JournalEntry Entry(string site, int i) =>
        new() { Site = site, Action = "deploy", Outcome = JournalOutcome.Succeeded, Actor = "ops@host", Message = $"{site} {i}" };

    private static readonly string[] Sites = ["shop", "blog", "news"];

    private JournalFile Filled(int count)
    {
        var journal = Journal();
        for (var i = 1; i <= count; i++)
        {
            journal.Append(Entry(Sites[i % Sites.Length], i));
            if (i % 10 == 0)
            {
                journal.Append(new JournalEntry { Action = "login", Outcome = JournalOutcome.Failed, Message = "no site" });
            }
        }

        return journal;
    }

    private static List<JournalEntry> Expected(JournalFile journal, string site) => journal.ReadAll().Where(e => e.Site == site).Reverse().ToList();

    [Fact]
    public void A_site_s_entries_read_through_the_index_are_its_entries_newest_first_and_follow_new_appends()
    {
        var journal = Filled(60);

        foreach (var site in Sites)
        {
            Assert.Equal(Expected(journal, site), journal.Index.Newest(site).ToList());
        }

        journal.Append(Entry("shop", 1000));
        journal.Append(Entry("blog", 1001));

        Assert.Equal("shop 1000", journal.Index.Newest("shop").First().Message);
        Assert.Equal(Expected(journal, "blog"), journal.Index.Newest("blog").ToList());
        Assert.Equal(Expected(journal, "shop").Count, journal.Index.Count("shop"));
        Assert.Equal(["blog", "news", "shop"], journal.Index.Sites());
        Assert.Empty(journal.Index.Newest("nosuch"));
    }

    [Fact]
    public void A_run_of_look_ups_with_its_segments_kept_open_finds_what_each_look_up_alone_finds()
    {
        // 4 KiB segments: the sites' lines spread over many segments, read through handles opened once.
        var journal = Filled(90);
        journal.Append(new JournalEntry { Site = "blog", Action = "apply", Outcome = JournalOutcome.Started, Actor = "ops@host", Message = "cut short" });
        Assert.True(journal.Segments.Last() > 3);

        using (var lookup = journal.InterruptedFinder())
        {
            foreach (var site in Sites.Append("nosuch"))
            {
                Assert.Equal(journal.FindInterrupted(site), lookup.Find(site));
            }

            Assert.Equal("apply", lookup.Find("blog")?.Action);
            Assert.Null(lookup.Find("shop"));
        }

        // An index that lies is still caught through the kept handles.
        File.Copy(journal.Index.PathOf("shop"), journal.Index.PathOf("blog"), overwrite: true);
        using var again = journal.InterruptedFinder();
        Assert.Equal("apply", again.Find("blog")?.Action);
    }

    [Fact]
    public void A_missing_index_is_rebuilt_from_the_journal()
    {
        var journal = Filled(40);
        _ = journal.Index.Newest("shop").First();
        Directory.Delete(journal.Index.Directory, recursive: true);

        Assert.Equal(Expected(journal, "shop"), journal.Index.Newest("shop").ToList());
        Assert.True(File.Exists(journal.Index.PathOf("shop")));
    }

    [Fact]
    public void An_index_that_lies_is_caught_by_the_check_of_each_line_and_rebuilt()
    {
        var journal = Filled(45);
        _ = journal.Index.Newest("shop").First();
        // blog's index now points at shop's lines: same journal, wrong records.
        File.Copy(journal.Index.PathOf("shop"), journal.Index.PathOf("blog"), overwrite: true);

        Assert.Equal(Expected(journal, "blog"), journal.Index.Newest("blog").ToList());
        Assert.NotEqual(File.ReadAllBytes(journal.Index.PathOf("shop")), File.ReadAllBytes(journal.Index.PathOf("blog")));
    }

    [Fact]
    public void An_index_cut_short_after_some_entries_were_shown_goes_on_without_repeating_them()
    {
        var journal = Filled(45);
        _ = journal.Index.Newest("news").First();
        var path = journal.Index.PathOf("news");
        var bytes = File.ReadAllBytes(path);
        // The oldest record now points at another line: the lie is found only after the newest were shown.
        Array.Copy(File.ReadAllBytes(journal.Index.PathOf("shop")), 8, bytes, 8, 12);
        File.WriteAllBytes(path, bytes);

        Assert.Equal(Expected(journal, "news"), journal.Index.Newest("news").ToList());
    }

    [Fact]
    public void An_index_of_another_journal_is_stale_and_rebuilt()
    {
        var journal = Filled(30);
        _ = journal.Index.Newest("shop").First();
        var other = new TempHome();
        try
        {
            var replacement = new JournalFile(Home.At(other.Root), TimeProvider.System, 4096);
            for (var i = 0; i < 5; i++)
            {
                replacement.Append(Entry("news", i));
            }

            foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(_home.JournalFile)!, "journal*.jsonl"))
            {
                File.Delete(file);
            }

            File.Copy(other.JournalFile, _home.JournalFile);
        }
        finally
        {
            other.Dispose();
        }

        Assert.Empty(journal.Index.Newest("shop"));
        Assert.Equal(5, journal.Index.Newest("news").Count());
    }

    [Fact]
    public void In_memory_the_index_gives_the_same_entries_and_writes_nothing()
    {
        Filled(50);
        var journal = Journal(inMemory: true);

        Assert.Equal(Expected(journal, "shop"), journal.Index.Newest("shop").ToList());
        journal.Append(Entry("shop", 2000));
        Assert.Equal("shop 2000", journal.Index.Newest("shop").First().Message);
        Assert.False(Directory.Exists(journal.Index.Directory));
    }
}
