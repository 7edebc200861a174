using System.Text;
using BlueGreen.Infrastructure.Files;
using BlueGreen.Infrastructure.Tests.Processes;

namespace BlueGreen.Infrastructure.Tests.Files;

/// <summary>SmallFile reads what File.ReadAllText reads, at every size around its first read and with every byte-order mark.</summary>
public sealed class SmallFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<int> Sizes => [0, 1, 137, 4095, 4096, 4097, 8192, 8193, 100_000];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void A_file_of_any_size_reads_whole(int size)
    {
        var path = _dir.File($"f{size}");
        // Multi-byte characters across the boundaries of the reads.
        var text = string.Concat(Enumerable.Range(0, size).Select(i => i % 7 == 0 ? 'é' : (char)('a' + (i % 26))));
        File.WriteAllText(path, text);

        Assert.Equal(File.ReadAllText(path), SmallFile.ReadAllText(path));
    }

    public static TheoryData<string> Encodings => ["utf-8-bom", "utf-16le", "utf-16be", "utf-32le"];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_byte_order_mark_is_honoured_as_ReadAllText_honours_it(string name)
    {
        var encoding = name switch
        {
            "utf-8-bom" => new UTF8Encoding(encoderShouldEmitUTF8Identifier: true),
            "utf-16le" => Encoding.Unicode,
            "utf-16be" => Encoding.BigEndianUnicode,
            _ => Encoding.UTF32,
        };
        var path = _dir.File(name);
        File.WriteAllText(path, "RULE=Host(`café.example.com`)\n", encoding);

        Assert.Equal("RULE=Host(`café.example.com`)\n", SmallFile.ReadAllText(path));
        Assert.Equal(File.ReadAllText(path), SmallFile.ReadAllText(path));
    }

    [Fact]
    public void A_missing_file_or_folder_throws_as_ReadAllText_does()
    {
        Assert.Throws<FileNotFoundException>(() => SmallFile.ReadAllText(_dir.File("nosuch")));
        Assert.Throws<DirectoryNotFoundException>(() => SmallFile.ReadAllText(Path.Combine(_dir.Path, "nosuch", "f")));
    }
}
