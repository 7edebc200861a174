using BlueGreen.Core.Routing;

namespace BlueGreen.Core.Tests.Routing;

public sealed class LineDiffTests
{
    private static string Show(string before, string after) => string.Join("|", LineDiff.Compute(before, after));

    [Theory]
    [InlineData("a\nb\nc\n", "a\nb\nc\n", "  a|  b|  c")]
    [InlineData("", "", "")]
    [InlineData("", "a\nb\n", "+ a|+ b")]
    [InlineData("a\nb\n", "", "- a|- b")]
    [InlineData("a\nweight: 1\nc\n", "a\nweight: 0\nc\n", "  a|- weight: 1|+ weight: 0|  c")]
    [InlineData("a\nc\n", "a\nb\nc\n", "  a|+ b|  c")]
    [InlineData("a\nb\nc\n", "a\nc\n", "  a|- b|  c")]
    [InlineData("a\nb", "a\nb\n", "  a|  b")]
    public void The_diff_keeps_common_lines_and_marks_the_others(string before, string after, string expected)
    {
        Assert.Equal(expected, Show(before, after));
    }

    [Fact]
    public void A_swapped_weight_shows_as_two_changed_weights_with_the_names_in_place()
    {
        var before = "  - name: shop-a\n    weight: 0\n  - name: shop-b\n    weight: 1\n";
        var after = "  - name: shop-a\n    weight: 1\n  - name: shop-b\n    weight: 0\n";

        Assert.Equal(
            "    - name: shop-a|-     weight: 0|+     weight: 1|    - name: shop-b|-     weight: 1|+     weight: 0",
            Show(before, after));
    }

    [Fact]
    public void Applying_the_diff_gives_the_new_text_and_reverting_it_the_old()
    {
        var before = "# header\nhttp:\n  services:\n    shop:\n      weight: 1\n    other:\n      weight: 0\n";
        var after = "# header\nhttp:\n  routers:\n    shop: {}\n  services:\n    shop:\n      weight: 0\n    other:\n      weight: 1\n";

        var diff = LineDiff.Compute(before, after);

        Assert.Equal(after.TrimEnd('\n').Split('\n'), diff.Where(d => d.Kind != DiffKind.Removed).Select(d => d.Text));
        Assert.Equal(before.TrimEnd('\n').Split('\n'), diff.Where(d => d.Kind != DiffKind.Added).Select(d => d.Text));
    }
}
