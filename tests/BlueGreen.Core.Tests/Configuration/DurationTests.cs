using BlueGreen.Core.Configuration;

namespace BlueGreen.Core.Tests.Configuration;

public sealed class DurationTests
{
    [Theory]
    [InlineData("10", 10_000)]
    [InlineData("0", 0)]
    [InlineData("10s", 10_000)]
    [InlineData("250ms", 250)]
    [InlineData("2m", 120_000)]
    [InlineData(" 3 ", 3_000)]
    [InlineData("0ms", 0)]
    public void A_duration_is_seconds_unless_a_unit_is_given(string text, long expectedMs)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("ms")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData("1h")]
    [InlineData("ten")]
    [InlineData("10 seconds")]
    [InlineData("99999999999")]
    [InlineData("1e3")]
    public void A_text_that_is_not_a_duration_is_rejected(string text)
    {
        Assert.False(Duration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(1500, "1500ms")]
    [InlineData(2000, "2s")]
    [InlineData(120_000, "120s")]
    public void A_duration_is_formatted_in_the_unit_that_keeps_it_exact(long ms, string expected)
    {
        Assert.Equal(expected, Duration.Format(TimeSpan.FromMilliseconds(ms)));
    }
}
