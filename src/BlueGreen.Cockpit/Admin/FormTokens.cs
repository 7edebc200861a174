using System.Security.Cryptography;
using System.Text;

namespace BlueGreen.Cockpit.Admin;

/// <summary>
/// Antiforgery tokens bound to what the form belongs to: HMAC-SHA256, under a secret drawn when the
/// process starts, of the session id (or, on the login form, of a login cookie). A token of one
/// session is worthless in another, and every token dies with the process.
/// </summary>
internal sealed class FormTokens
{
    public const string FieldName = "bluegreen_form_token";

    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);

    public string For(FormPurpose purpose, string boundTo) =>
        Convert.ToBase64String(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes($"{purpose}\n{boundTo}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Constant time (for tokens of the right length; the length is no secret).</summary>
    public bool IsValid(FormPurpose purpose, string? boundTo, string? presented) =>
        boundTo is { Length: > 0 } && presented is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(For(purpose, boundTo)), Encoding.UTF8.GetBytes(presented));
}

/// <summary>What a form token is bound to: the login form's cookie, or a logged-in session.</summary>
internal enum FormPurpose
{
    Login,
    Session,
}
