using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Subscriptions;

public enum TokenPurpose
{
    Confirm,
    Unsubscribe,
    Manage,
    /// <summary>Erasing all of an address's data: sent by email when asked for on the manage page, short-lived.</summary>
    DeleteAll,
}

/// <summary>A token whose signature, purpose and lifetime check out.</summary>
/// <param name="IssuedAt">When it was made; null for tokens made before links carried it (they work until revoked).</param>
public sealed record SignedToken(string SubscriptionId, DateTimeOffset? IssuedAt);

/// <summary>
/// Signed, expiring tokens that name one subscription and one purpose: "{payload}.{signature}", both base64url.
/// A token for one purpose never works for another. The payload also carries when the token was made (Unix seconds,
/// like the expiry, so one clock reading makes one token), the generation that <see cref="LinkRevocations"/> compares
/// with the address's "revoke all my links" time.
/// </summary>
public sealed class SubscriptionTokens
{
    private readonly byte[] _key;
    private readonly byte[][] _acceptedKeys;
    private readonly TokenOptions _options;
    private readonly TimeProvider _time;

    public SubscriptionTokens(IOptions<TokenOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        if (_options.SigningKey.Length < 32)
            throw new InvalidOperationException($"{TokenOptions.Section}__SigningKey must be at least 32 characters.");
        // An unresolved Key Vault reference leaves its own (guessable) text in the setting: never sign with that.
        if (IsUnresolvedReference(_options.SigningKey) || IsUnresolvedReference(_options.PreviousSigningKeys))
            throw new InvalidOperationException($"{TokenOptions.Section} keys hold an unresolved Key Vault reference; check the app's Key Vault access.");
        _key = Encoding.UTF8.GetBytes(_options.SigningKey);
        _acceptedKeys = [_key, .. _options.PreviousSigningKeys
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(k => Encoding.UTF8.GetBytes(k))];
    }

    private static bool IsUnresolvedReference(string value) => value.Contains("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);

    public string Create(string subscriptionId, TokenPurpose purpose)
    {
        var lifetime = purpose is TokenPurpose.Confirm or TokenPurpose.DeleteAll ? _options.ConfirmationLifetime : _options.LinkLifetime;
        var now = _time.GetUtcNow();
        var expires = now.Add(lifetime).ToUnixTimeSeconds();
        var payload = Encoding.UTF8.GetBytes($"{(int)purpose}|{subscriptionId}|{expires}|{now.ToUnixTimeSeconds()}");
        return Base64Url(payload) + "." + Base64Url(HMACSHA256.HashData(_key, payload));
    }

    /// <summary>The subscription id, or null when the token is forged, expired, malformed or for another purpose.</summary>
    /// <remarks>Says nothing about revocation: code that acts on a token goes through <see cref="LinkRevocations"/> too.</remarks>
    public string? Validate(string? token, TokenPurpose purpose) => Read(token, purpose)?.SubscriptionId;

    /// <summary>The token's subscription and issue time, or null when it is forged, expired, malformed or for another purpose.</summary>
    public SignedToken? Read(string? token, TokenPurpose purpose)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 512)
            return null;
        var dot = token.IndexOf('.');
        if (dot <= 0)
            return null;
        var payload = FromBase64Url(token[..dot]);
        var signature = FromBase64Url(token[(dot + 1)..]);
        if (payload is null || signature is null)
            return null;
        if (!_acceptedKeys.Any(key => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, payload), signature)))
            return null;

        var parts = Encoding.UTF8.GetString(payload).Split('|');
        if (parts.Length is not (3 or 4) || parts[0] != ((int)purpose).ToString() || !long.TryParse(parts[2], out var expires))
            return null;
        if (_time.GetUtcNow().ToUnixTimeSeconds() > expires)
            return null;
        if (parts.Length == 3)
            return new SignedToken(parts[1], null); // made before tokens carried their issue time
        if (!long.TryParse(parts[3], out var issued) || issued < 0 || issued > expires)
            return null;
        return new SignedToken(parts[1], DateTimeOffset.FromUnixTimeSeconds(issued));
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var b64 = text.Replace('-', '+').Replace('_', '/');
        b64 += (b64.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        try { return Convert.FromBase64String(b64); }
        catch (FormatException) { return null; }
    }
}
