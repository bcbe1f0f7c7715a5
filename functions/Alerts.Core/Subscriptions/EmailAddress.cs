using System.Net.Mail;

namespace Alerts.Core.Subscriptions;

public static class EmailAddress
{
    public const int MaxLength = 254;

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>
    /// The mailbox an address delivers to, for limits: case folded and the <c>+tag</c> dropped
    /// (<c>Victim+1@Example.test</c> → <c>victim@example.test</c>), since providers deliver both to one inbox.
    /// </summary>
    public static string Mailbox(string email)
    {
        var normalized = Normalize(email);
        var at = normalized.LastIndexOf('@');
        if (at <= 0)
            return normalized;
        var plus = normalized.IndexOf('+');
        return plus is > 0 && plus < at ? normalized[..plus] + normalized[at..] : normalized;
    }

    /// <summary>A single plain address (no display name, no list), with a dot in the domain.</summary>
    public static bool IsValid(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > MaxLength)
            return false;
        var trimmed = email.Trim();
        if (trimmed.Any(c => char.IsWhiteSpace(c) || c is ',' or ';' or '<' or '>'))
            return false;
        if (!MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed)
            return false;
        var at = trimmed.LastIndexOf('@');
        var domain = trimmed[(at + 1)..];
        return at > 0 && domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.');
    }
}
