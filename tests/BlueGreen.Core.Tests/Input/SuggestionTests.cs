using BlueGreen.Core.Input;

namespace BlueGreen.Core.Tests.Input;

public sealed class SuggestionTests
{
    private static readonly string[] Commands = ["status", "config", "deploy", "validate", "apply", "rollback", "recover", "lock", "journal", "router", "cockpit", "demo", "test", "version", "completion"];

    private static readonly string[] Keys = ["RULE", "SLOT_A_URL", "SLOT_B_URL", "HEALTH_PATH", "HEALTH_TIMEOUT", "DEPLOY_CMD", "TEST_CMD"];

    [Theory]
    [InlineData("stauts", "status")]     // two neighbours swapped: one edit
    [InlineData("statu", "status")]      // one missing
    [InlineData("Status", "status")]     // case does not count
    [InlineData("jornal", "journal")]
    [InlineData("rollbak", "rollback")]
    [InlineData("deplyo", "deploy")]
    [InlineData("verison", "version")]
    [InlineData("aply", "apply")]
    public void A_typo_of_a_command_suggests_it(string typed, string expected) =>
        Assert.Equal(expected, Suggestion.Closest(typed, Commands));

    [Theory]
    [InlineData("HEALTH_PAHT", "HEALTH_PATH")]
    [InlineData("HEALTH_TIMEOUTS", "HEALTH_TIMEOUT")]
    [InlineData("SLOT_C_URL", "SLOT_A_URL")]   // ties go to the first in ordinal order
    [InlineData("DEPLOY_COMMAND", null)]      // four edits: not a typo
    [InlineData("RULES", "RULE")]
    [InlineData("X", null)]
    [InlineData("", null)]
    public void A_typo_of_a_key_suggests_it_and_anything_else_suggests_nothing(string typed, string? expected) =>
        Assert.Equal(expected, Suggestion.Closest(typed, Keys));

    [Fact]
    public void A_known_word_suggests_nothing() => Assert.Null(Suggestion.Closest("status", Commands));

    [Fact]
    public void A_word_unlike_every_other_suggests_nothing() => Assert.Equal("", Suggestion.DidYouMean("frobnicate", Commands));

    [Fact]
    public void The_suggestion_ends_an_error_line() => Assert.Equal(" (did you mean shop?)", Suggestion.DidYouMean("shpo", ["blog", "shop"]));

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "", 3)]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("ca", "abc", 3)]   // optimal string alignment, not unrestricted Damerau (which says 2)
    [InlineData("kitten", "sitting", 3)]
    public void Distance_is_optimal_string_alignment(string a, string b, int expected)
    {
        Assert.Equal(expected, Suggestion.Distance(a, b));
        Assert.Equal(expected, Suggestion.Distance(b, a));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 1)]
    [InlineData(6, 2)]
    [InlineData(9, 3)]
    [InlineData(30, 3)]
    public void Longer_words_allow_more_edits_up_to_three(int length, int expected) => Assert.Equal(expected, Suggestion.MaxDistance(length));
}

public sealed class CommandHintTests
{
    [Theory]
    [InlineData("run ./run.sh validate shop", null, "run ./run.sh validate shop")]
    [InlineData("run ./run.sh validate shop", "", "run ./run.sh validate shop")]
    [InlineData("run ./run.sh validate shop", "/srv/bg", "run ./run.sh --home /srv/bg validate shop")]
    [InlineData("see ./run.sh status shop; resolve with ./run.sh recover shop", "/srv/bg", "see ./run.sh --home /srv/bg status shop; resolve with ./run.sh --home /srv/bg recover shop")]
    [InlineData("see ./run.sh router, and ROUTER_API", "/srv/bg", "see ./run.sh --home /srv/bg router, and ROUTER_API")]
    [InlineData("./run.sh status x", "/srv/my home", "./run.sh --home '/srv/my home' status x")]
    [InlineData("./run.sh status x", "/srv/it's", "./run.sh --home '/srv/it'\\''s' status x")]
    [InlineData("written by ./run.sh.conf, not a command", "/srv/bg", "written by ./run.sh.conf, not a command")]
    [InlineData("no command here", "/srv/bg", "no command here")]
    [InlineData("ends with ./run.sh", "/srv/bg", "ends with ./run.sh --home /srv/bg")]
    public void Every_run_sh_in_the_text_gets_the_home(string text, string? home, string expected) =>
        Assert.Equal(expected, CommandHint.WithHome(text, home));

    [Theory]
    [InlineData("/srv/bg", "/srv/bg")]
    [InlineData("a b", "'a b'")]
    [InlineData("$(rm -rf /)", "'$(rm -rf /)'")]
    [InlineData("", "''")]
    public void Words_are_quoted_only_when_a_shell_would_change_them(string word, string expected) =>
        Assert.Equal(expected, CommandHint.ShellQuote(word));
}
