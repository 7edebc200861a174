using BlueGreen.Core.Configuration;

namespace BlueGreen.Core.Tests.Configuration;

public sealed class ConfigFileParserTests
{
    private static readonly IReadOnlySet<string> Keys = new HashSet<string> { "A", "B", "C", "RULE" };

    private static ConfigFile Parse(string text) => ConfigFileParser.Parse("/etc/x.conf", text, Keys);

    private static string Value(string text, string key = "A")
    {
        var file = Parse(text);
        Assert.Empty(file.Errors);
        return file.Entries[key].Value;
    }

    [Fact]
    public void Comments_and_blank_lines_are_ignored_and_lines_keep_their_numbers()
    {
        var file = Parse("# a comment\n\n   \n   # indented comment\nA=1\n\nB=2\n");

        Assert.Empty(file.Errors);
        Assert.Equal(2, file.Entries.Count);
        Assert.Equal(new ConfigEntry("A", "1", 5), file.Entries["A"]);
        Assert.Equal(new ConfigEntry("B", "2", 7), file.Entries["B"]);
    }

    [Theory]
    [InlineData("A=plain", "plain")]
    [InlineData("A=\"double quoted\"", "double quoted")]
    [InlineData("A='single quoted'", "single quoted")]
    [InlineData("A=\"it's inside\"", "it's inside")]
    [InlineData("A='say \"hi\"'", "say \"hi\"")]
    [InlineData("A=", "")]
    [InlineData("A=\"\"", "")]
    [InlineData("  A  =  spaced  ", "spaced")]
    [InlineData("A=value # trailing comment", "value")]
    [InlineData("A=\"quoted # not a comment\" # a comment", "quoted # not a comment")]
    [InlineData("A='quoted'#comment", "quoted")]
    [InlineData("A=a#b", "a#b")]
    [InlineData("A=value\t# comment after a tab", "value")]
    [InlineData("A=./deploy.sh \"$BG_VERSION\"", "./deploy.sh \"$BG_VERSION\"")]
    [InlineData("A=echo 'a' 'b'", "echo 'a' 'b'")]
    [InlineData("A=x=y", "x=y")]
    [InlineData("RULE=Host(`shop.example.com`) && PathPrefix(`/api`)", "Host(`shop.example.com`) && PathPrefix(`/api`)")]
    public void A_value_is_read_literally_with_its_quotes_and_trailing_comment_stripped(string line, string expected)
    {
        var key = line.Trim().Split('=')[0].Trim();
        Assert.Equal(expected, Value(line, key));
    }

    [Theory]
    [InlineData("A=$(rm -rf /)", "$(rm -rf /)")]
    [InlineData("A=\"$(rm -rf /)\"", "$(rm -rf /)")]
    [InlineData("A=`id`", "`id`")]
    [InlineData("A=${HOME}/x", "${HOME}/x")]
    [InlineData("A='a; echo b | tee c'", "a; echo b | tee c")]
    public void A_value_is_never_evaluated_by_a_shell(string line, string expected)
    {
        Assert.Equal(expected, Value(line));
    }

    [Fact]
    public void Windows_line_endings_are_accepted()
    {
        var file = Parse("# comment\r\nA=1\r\nB=\"two\"\r\n\r\nC=3 # c\r\n");

        Assert.Empty(file.Errors);
        Assert.Equal("1", file.Entries["A"].Value);
        Assert.Equal("two", file.Entries["B"].Value);
        Assert.Equal("3", file.Entries["C"].Value);
        Assert.Equal(5, file.Entries["C"].Line);
    }

    [Theory]
    [InlineData("A=\"open", "unterminated quote")]
    [InlineData("A='open", "unterminated quote")]
    [InlineData("A=\"one\" two", "unexpected text after the closing quote")]
    [InlineData("A=closing\"", "closing quote without an opening one")]
    [InlineData("A=closing' # comment", "closing quote without an opening one")]
    [InlineData("just some words", "malformed line")]
    [InlineData("=value", "malformed line")]
    [InlineData("a=lower", "malformed key")]
    [InlineData("1A=x", "malformed key")]
    [InlineData("MY-KEY=x", "malformed key")]
    [InlineData("export A=x", "malformed key")]
    [InlineData("NOPE=x", "unknown key NOPE")]
    public void A_bad_line_is_an_error_naming_the_file_and_line(string line, string message)
    {
        var file = Parse($"# header\nB=ok\n{line}\n");

        var error = Assert.Single(file.Errors);
        Assert.Equal("/etc/x.conf", error.File);
        Assert.Equal(3, error.Line);
        Assert.Contains(message, error.Message);
        Assert.StartsWith("/etc/x.conf:3: ", error.ToString());
        Assert.False(file.Entries.ContainsKey("A"));
        Assert.True(file.Entries.ContainsKey("B"));
    }

    [Fact]
    public void A_duplicate_key_is_an_error_on_the_second_line_that_names_the_first()
    {
        var file = Parse("A=first\nB=x\n\nA=second\n");

        var error = Assert.Single(file.Errors);
        Assert.Equal(4, error.Line);
        Assert.Contains("duplicate key A", error.Message);
        Assert.Contains("line 1", error.Message);
        Assert.Equal("first", file.Entries["A"].Value);
    }

    [Fact]
    public void Every_error_of_a_file_is_reported_in_one_pass()
    {
        var file = Parse("NOPE=1\nA=\"x\nbad line\nB=1\nB=2\n");

        Assert.Equal([1, 2, 3, 5], file.Errors.Select(e => e.Line));
    }

    [Fact]
    public void An_empty_file_has_no_entries_and_no_errors()
    {
        var file = Parse("");

        Assert.Empty(file.Entries);
        Assert.Empty(file.Errors);
    }
}
