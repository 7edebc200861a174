using System.Security.Cryptography;
using BlueGreen.Cockpit.Admin;

namespace BlueGreen.Cockpit.Tests;

public sealed class TokenStrengthTests
{
    [Theory]
    [InlineData("", "too short")]
    [InlineData("q8Zt1XkP0aLw3Rb9Uy7cV", "too short")]
    [InlineData("8f3a91c0d2b74e6f5a1c9d0e3b7f24a", "too short")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "too predictable")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "too predictable")]
    [InlineData("abababababababababababababababababababab", "too predictable")]
    [InlineData("0123456789abcdef0123456789abcdef", "too predictable")]
    [InlineData("abcdefghijklmnopqrstuvwxyzABCDEF", "too predictable")]
    [InlineData("password123password123password123", "too predictable")]
    [InlineData("Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3", "too predictable")]
    public void Short_or_patterned_tokens_are_refused(string token, string why) =>
        Assert.Contains(why, TokenStrength.Weakness(token));

    [Theory]
    [InlineData(32, "base64")] // what the docs' command makes
    [InlineData(16, "base64")] // 24 characters
    [InlineData(16, "hex")] // 32 characters: 128 bits exactly
    [InlineData(32, "hex")]
    public void Random_tokens_are_accepted(int bytes, string encoding)
    {
        for (var i = 0; i < 5000; i++)
        {
            var raw = RandomNumberGenerator.GetBytes(bytes);
            var token = encoding == "hex" ? Convert.ToHexStringLower(raw) : Convert.ToBase64String(raw);
            Assert.True(TokenStrength.Weakness(token) is null, $"{token}: {TokenStrength.Weakness(token)}");
        }
    }

    [Theory]
    [InlineData(new[] { 1, 1, 1, 1 }, 0.0)]
    [InlineData(new[] { 1, 2, 1, 2 }, 1.0)]
    [InlineData(new[] { 1, 2, 3, 4 }, 2.0)]
    public void Shannon_counts_bits_per_item(int[] items, double bits) =>
        Assert.Equal(bits, TokenStrength.Shannon(items), 6);
}
