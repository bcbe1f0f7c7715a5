using System.Security.Cryptography;
using System.Text;

namespace Alerts.Core.Storage;

/// <summary>Table keys may not contain / \ # ? or control characters, so anything from outside is hashed.</summary>
public static class TableKeys
{
    /// <summary>SHA-256 of the text, base64url without padding, truncated to <paramref name="length"/> characters.</summary>
    public static string Hash(string text, int length = 43)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var b64 = Convert.ToBase64String(digest).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return b64[..Math.Min(length, b64.Length)];
    }

    /// <summary>Keys sorted newest first: inverted ticks, zero-padded.</summary>
    public static string NewestFirst(DateTimeOffset time) => (DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks).ToString("D19");

    public static bool IsAlreadyExists(this Azure.RequestFailedException ex) => ex.Status == 409;
}
