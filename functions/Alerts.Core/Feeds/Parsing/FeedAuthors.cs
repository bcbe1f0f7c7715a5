using System.Text.RegularExpressions;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>Authors as feeds write them: "jane@x.test (Jane Doe)", "Jane Doe &lt;jane@x.test&gt;", a name, an address.</summary>
internal static partial class FeedAuthors
{
    [GeneratedRegex(@"^\s*(?<email>[^\s()<>@]+@[^\s()<>]+)\s*\((?<name>[^()]*)\)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailThenName();

    [GeneratedRegex(@"^\s*(?<name>[^<>]*?)\s*<(?<email>[^\s<>@]+@[^\s<>]+)>\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex NameThenEmail();

    [GeneratedRegex(@"^\s*(?:mailto:)?(?<email>[^\s()<>@]+@[^\s()<>@]+\.[^\s()<>@]+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailOnly();

    public static ParsedAuthor? FromText(string? raw)
    {
        // Matched before any HTML step, which would take "<jane@x.test>" for a tag.
        var text = HtmlText.Collapse(raw is null || raw.Contains("</", StringComparison.Ordinal) ? HtmlText.ToPlainText(raw) : HtmlEntities.Decode(raw));
        if (text.Length == 0 || text.Length > 500)
            return text.Length == 0 ? null : new ParsedAuthor(text[..200], null);
        if (EmailThenName().Match(text) is { Success: true } a)
            return Make(a.Groups["name"].Value, a.Groups["email"].Value);
        if (NameThenEmail().Match(text) is { Success: true } b)
            return Make(b.Groups["name"].Value, b.Groups["email"].Value);
        if (EmailOnly().Match(text) is { Success: true } c)
            return Make("", c.Groups["email"].Value);
        return Make(text, null);
    }

    public static ParsedAuthor? Make(string? name, string? email)
    {
        var n = HtmlText.ToPlainText(name);
        var e = string.IsNullOrWhiteSpace(email) ? null : email.Trim().Replace("mailto:", "", StringComparison.OrdinalIgnoreCase);
        return n.Length == 0 && e is null ? null : new ParsedAuthor(n, e);
    }

    /// <summary>Distinct authors, in order.</summary>
    public static IReadOnlyList<ParsedAuthor> Distinct(IEnumerable<ParsedAuthor?> authors) =>
        authors.OfType<ParsedAuthor>().DistinctBy(a => (a.Name.ToLowerInvariant(), a.Email?.ToLowerInvariant())).Take(10).ToList();
}
