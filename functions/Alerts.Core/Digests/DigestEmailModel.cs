namespace Alerts.Core.Digests;

/// <summary>
/// What one digest or alert email says, decided by <see cref="DigestComposer"/> and laid out twice: as HTML by
/// <c>Templates/DigestEmailHtml.razor</c> and as plain text by <see cref="Templates.DigestText"/>. Text runs have
/// their whitespace already folded to single spaces; nothing here is encoded (the renderer does that).
/// </summary>
/// <param name="Grouped">Several alerts in one email: a heading per section and an unsubscribe link per alert.</param>
/// <param name="Because">The queries the footer names, quoted: <c>"DACA", "Chicago"</c>.</param>
public sealed record DigestEmailModel(
    string Subject,
    string SiteName,
    string Frequency,
    bool Grouped,
    IReadOnlyList<DigestEmailSection> Sections,
    string Because,
    string ManageUrl,
    IReadOnlyList<DigestUnsubscribeLink> Unsubscribes);

public sealed record DigestUnsubscribeLink(string Title, string Url);

/// <summary>One alert's part: its stories in full, then the rest by title.</summary>
public sealed record DigestEmailSection(string Title, int Count, IReadOnlyList<DigestEmailItem> Items, IReadOnlyList<DigestEmailLine> More);

/// <summary>One story shown in full.</summary>
/// <param name="Link">The article's link when it is http(s); null otherwise.</param>
/// <param name="ShownLink">A link that is not http(s), shown as text and never as an href; null otherwise.</param>
/// <param name="Source">The feed's name and the byline: "Example News · by Jane Doe".</param>
/// <param name="AlsoIn">The same story in other feeds.</param>
/// <param name="AlsoMatches">The titles of the email's later alerts that matched this story too.</param>
/// <param name="Why">Which parts of the query matched where ("DACA in the title; sanctuary city in the text"); null when it cannot be said.</param>
public sealed record DigestEmailItem(
    IReadOnlyList<(string Text, bool Hit)> Title,
    bool Untitled,
    string? Link,
    string? ShownLink,
    string Source,
    string Time,
    IReadOnlyList<(string Text, bool Hit)> Snippet,
    IReadOnlyList<DigestAlsoIn> AlsoIn,
    IReadOnlyList<string> AlsoMatches,
    string? Why);

public sealed record DigestAlsoIn(string Feed, string? Link);

/// <summary>One story past the cap: title, link and feed.</summary>
public sealed record DigestEmailLine(string Title, string? Link, string Feed, IReadOnlyList<string> AlsoMatches, string? Why);
