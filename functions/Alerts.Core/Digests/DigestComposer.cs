using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Web;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Alerts.Core.Digests;

/// <summary>One article in a digest, with the places the query matched it.</summary>
public sealed record DigestItem(Article Article, IReadOnlyList<Hit> Hits);

/// <summary>One subscription's part of a digest: its items, with that subscription's hits.</summary>
public sealed record DigestSection(Subscription Subscription, IReadOnlyList<DigestItem> Items);

/// <summary>
/// Builds the digest email. Everything that came from a feed is untrusted: it is HTML-encoded, only http(s)
/// links become hrefs, and the HTML loads nothing remote (no images, no stylesheets), so opening it reveals nothing.
/// </summary>
public sealed partial class DigestComposer(
    IOptions<SiteOptions> site,
    IOptions<SmtpOptions> smtp,
    SubscriptionLinks links,
    IOptions<UnsubscribeMailboxOptions>? unsubscribeMailbox = null)
{
    public const int SnippetLength = 240;

    private const string MarkStyle = "background-color:#fde68a;color:#111827;padding:0 1px;";

    public MimeMessage Compose(Subscription subscription, string digestKey, IReadOnlyList<DigestItem> items, DateTimeOffset date) =>
        Compose(subscription.Id, [new DigestSection(subscription, items)], digestKey, date);

    /// <summary>
    /// One email for one or more subscriptions of the same address on the same schedule, a section per subscription in
    /// the given order. An article several of them matched is shown once, in the first section that has it, with the
    /// other alerts noted ("Also matches"). Each subscription's cap applies within its own section.
    /// </summary>
    /// <param name="digestId">The subscription whose Digests row carries this email (the lead): it names the Message-ID.</param>
    public MimeMessage Compose(string digestId, IReadOnlyList<DigestSection> sections, string digestKey, DateTimeOffset date)
    {
        if (sections.Count == 0)
            throw new ArgumentException("A digest needs at least one section.", nameof(sections));
        var siteName = site.Value.Name;
        var options = smtp.Value;
        var first = sections[0].Subscription;
        var grouped = sections.Count > 1;
        var zone = DigestSchedule.Zone(first.TimeZone);

        // Each article once, in the first section that has it; the later sections that also have it are noted there.
        var shown = new HashSet<string>(StringComparer.Ordinal);
        var parts = new List<(Subscription Subscription, IReadOnlyList<DigestGroup> Full, IReadOnlyList<DigestGroup> More, Dictionary<DigestGroup, List<string>> Also)>();
        for (var i = 0; i < sections.Count; i++)
        {
            var own = sections[i].Items.Where(item => !shown.Contains(item.Article.Id)).GroupBy(item => item.Article.Id).Select(g => g.First()).ToList();
            var groups = DigestGrouping.Group(own);
            var also = new Dictionary<DigestGroup, List<string>>(ReferenceEqualityComparer.Instance);
            foreach (var group in groups)
            {
                var ids = group.Others.Prepend(group.Lead).Select(item => item.Article.Id).ToHashSet(StringComparer.Ordinal);
                var others = sections.Skip(i + 1)
                    .Where(other => other.Items.Any(item => ids.Contains(item.Article.Id)))
                    .Select(other => FrequencyText.Title(other.Subscription)).Distinct().ToList();
                if (others.Count > 0)
                    also[group] = others;
            }
            foreach (var item in own)
                shown.Add(item.Article.Id);
            if (groups.Count == 0)
                continue;
            // The subscriber's cap: that many stories in full, the rest as a title list so nothing is silently dropped.
            var subscription = sections[i].Subscription;
            // Without a cap of their own, a busy digest still shows only so many in full (Gmail clips long emails).
            var full = groups.Take(subscription.MaxItems is { } cap and > 0 ? cap : DigestSendHandler.MaxArticles).ToList();
            parts.Add((subscription, full, groups.Skip(full.Count).ToList(), also));
        }
        var total = parts.Sum(p => p.Full.Count + p.More.Count);
        var articlesText = $"{total} new article{(total == 1 ? "" : "s")}";
        var subject = grouped ? $"{articlesText} for {TitleList(sections.Select(x => x.Subscription).ToList())}" : $"{articlesText} for \"{FrequencyText.Title(first)}\"";

        // List-Unsubscribe names one subscription, and the one-click endpoint stops exactly that one: for a grouped
        // digest it is the first section's. The footer has a link per alert, and the unsubscribe page (the GET of
        // the same link) offers "unsubscribe from all alerts to this address".
        var unsubscribeUrl = links.Unsubscribe(first.Id);
        var manageUrl = links.Manage(first.Id);

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(options.FromName, options.FromAddress));
        message.To.Add(MailboxAddress.Parse(first.Email));
        message.Subject = subject;
        message.Date = date;
        message.MessageId = MessageIdFor(digestId, digestKey, options.EffectiveListIdDomain);

        // RFC 8058: one HTTPS URI (the POST target), optionally a mailto:, and the exact one-click marker.
        var unsubscribe = $"<{unsubscribeUrl}>";
        // Only when MailtoUnsubscribeHandler reads that mailbox; it carries the HTTPS link's signed token, not a bare id.
        if (!string.IsNullOrWhiteSpace(options.UnsubscribeMailbox) && unsubscribeMailbox?.Value.Enabled == true)
            unsubscribe += $", <{MailtoUnsubscribeHandler.MailtoFor(options.UnsubscribeMailbox, links.Tokens.Create(first.Id, TokenPurpose.Unsubscribe))}>";
        message.Headers.Add("List-Unsubscribe", unsubscribe);
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add("List-Id", $"{HeaderPhrase(siteName)} <digests.{options.EffectiveListIdDomain}>");
        message.Headers.Add("X-Auto-Response-Suppress", "All");

        var text = new StringBuilder();
        text.AppendLine(subject).AppendLine();
        foreach (var part in parts)
        {
            if (grouped)
            {
                var count = part.Full.Count + part.More.Count;
                text.AppendLine($"== {FrequencyText.Title(part.Subscription)} ({count} article{(count == 1 ? "" : "s")}) ==").AppendLine();
            }
            foreach (var group in part.Full)
            {
                var (item, a) = (group.Lead, group.Lead.Article);
                text.AppendLine("* " + Collapse(RenderText(Segments(a.Title, HitsIn(item.Hits, DocumentField.Title, a.Title.Length)))));
                if (SafeLink(a.Link) is { } link)
                    text.AppendLine("  " + link);
                text.AppendLine("  " + Collapse(a.FeedTitle) + Byline(a) + " · " + FormatTime(a.PublishedAt, zone));
                if (Snippet(item) is { Count: > 0 } snippet)
                    text.AppendLine("  " + Collapse(RenderText(snippet)));
                if (group.Others.Count > 0)
                    text.AppendLine("  Also in: " + string.Join(", ", group.Others.Select(o =>
                        Collapse(o.Article.FeedTitle) + (SafeLink(o.Article.Link) is { } l ? " <" + l + ">" : ""))));
                if (part.Also.TryGetValue(group, out var alsoMatches))
                    text.AppendLine("  Also matches: " + string.Join(", ", alsoMatches.Select(t => "\"" + t + "\"")));
                text.AppendLine();
            }
            if (part.More.Count > 0)
            {
                text.AppendLine($"{part.More.Count} more:");
                foreach (var group in part.More)
                    text.AppendLine("- " + Collapse(group.Lead.Article.Title) + (SafeLink(group.Lead.Article.Link) is { } l ? " <" + l + ">" : "")
                        + " (" + Collapse(group.Lead.Article.FeedTitle) + ")"
                        + (part.Also.TryGetValue(group, out var alsoMatches) ? " — also matches: " + string.Join(", ", alsoMatches.Select(t => "\"" + t + "\"")) : ""));
                text.AppendLine();
            }
        }
        text.AppendLine("--");
        if (grouped)
        {
            text.AppendLine($"You get this {FrequencyText.Describe(first)} because you subscribed to {siteName} alerts for {QueryList(sections)}.");
            text.AppendLine("Manage your alerts (time, sites, pause, export): " + manageUrl);
            foreach (var section in sections)
                text.AppendLine($"Unsubscribe from \"{FrequencyText.Title(section.Subscription)}\": " + links.Unsubscribe(section.Subscription.Id));
        }
        else
        {
            text.AppendLine($"You get this {FrequencyText.Describe(first)} because you subscribed to {siteName} alerts for \"{first.Query}\".");
            text.AppendLine("Manage your alerts (time, sites, pause, export): " + manageUrl);
            text.AppendLine("Unsubscribe: " + unsubscribeUrl);
        }

        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{E(subject)}</title></head>
            <body style="margin:0;padding:0;background:#f4f4f5;">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
            <tr><td align="center" style="padding:24px 12px;">
            <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:6px;font-family:Arial,Helvetica,sans-serif;color:#1f2937;">
            <tr><td style="padding:20px 24px 8px;font-size:20px;font-weight:bold;">{E(subject)}</td></tr>
            <tr><td style="padding:0 24px 12px;font-size:13px;color:#6b7280;">{E(siteName)} · {E(FrequencyText.Describe(first))}</td></tr>

            """);
        foreach (var part in parts)
        {
            if (grouped)
            {
                var count = part.Full.Count + part.More.Count;
                html.Append($"<tr><td style=\"padding:16px 24px 4px;border-top:2px solid #d1d5db;font-size:15px;font-weight:bold;color:#111827;\">{E(FrequencyText.Title(part.Subscription))} <span style=\"font-size:12px;font-weight:normal;color:#6b7280;\">· {count} article{(count == 1 ? "" : "s")}</span></td></tr>\n");
            }
            foreach (var group in part.Full)
            {
                var (item, a) = (group.Lead, group.Lead.Article);
                var titleHtml = RenderHtml(Segments(a.Title, HitsIn(item.Hits, DocumentField.Title, a.Title.Length)));
                if (string.IsNullOrWhiteSpace(a.Title))
                    titleHtml = "(untitled)";
                var link = SafeLink(a.Link);
                var heading = link is null
                    ? $"<span style=\"color:#111827;\">{titleHtml}</span>"
                    : $"<a href=\"{E(link)}\" style=\"color:#1d4ed8;text-decoration:none;\">{titleHtml}</a>";
                html.Append($"""
                    <tr><td style="padding:12px 24px;border-top:1px solid #e5e7eb;">
                    <div style="font-size:16px;font-weight:bold;line-height:1.35;">{heading}</div>
                    <div style="font-size:12px;color:#6b7280;padding-top:4px;">{E(Collapse(a.FeedTitle))}{E(Byline(a))} · {E(FormatTime(a.PublishedAt, zone))}</div>

                    """);
                if (link is null && !string.IsNullOrWhiteSpace(a.Link))
                    html.Append($"<div style=\"font-size:12px;color:#6b7280;\">{E(Collapse(a.Link))}</div>\n");
                if (Snippet(item) is { Count: > 0 } snippet)
                    html.Append($"<div style=\"font-size:14px;line-height:1.5;padding-top:6px;\">{RenderHtml(snippet)}</div>\n");
                if (group.Others.Count > 0)
                {
                    var others = group.Others.Select(o => SafeLink(o.Article.Link) is { } l
                        ? $"<a href=\"{E(l)}\" style=\"color:#6b7280;\">{E(Collapse(o.Article.FeedTitle))}</a>"
                        : E(Collapse(o.Article.FeedTitle)));
                    html.Append($"<div style=\"font-size:12px;color:#6b7280;padding-top:6px;\">Also in: {string.Join(", ", others)}</div>\n");
                }
                if (part.Also.TryGetValue(group, out var alsoMatches))
                    html.Append($"<div style=\"font-size:12px;color:#6b7280;padding-top:6px;\">Also matches: {string.Join(", ", alsoMatches.Select(t => "&quot;" + E(t) + "&quot;"))}</div>\n");
                html.Append("</td></tr>\n");
            }
            if (part.More.Count > 0)
            {
                html.Append($"<tr><td style=\"padding:12px 24px;border-top:1px solid #e5e7eb;font-size:14px;\"><div style=\"font-weight:bold;padding-bottom:4px;\">{part.More.Count} more</div>\n");
                foreach (var group in part.More)
                {
                    var a = group.Lead.Article;
                    var moreTitle = E(string.IsNullOrWhiteSpace(a.Title) ? "(untitled)" : Collapse(a.Title));
                    var line = SafeLink(a.Link) is { } l ? $"<a href=\"{E(l)}\" style=\"color:#1d4ed8;text-decoration:none;\">{moreTitle}</a>" : moreTitle;
                    var alsoNote = part.Also.TryGetValue(group, out var alsoMatches)
                        ? " · also matches " + string.Join(", ", alsoMatches.Select(t => "&quot;" + E(t) + "&quot;"))
                        : "";
                    html.Append($"<div style=\"padding:2px 0;\">{line} <span style=\"font-size:12px;color:#6b7280;\">{E(Collapse(a.FeedTitle))}{alsoNote}</span></div>\n");
                }
                html.Append("</td></tr>\n");
            }
        }
        var footerLinks = grouped
            ? $"<a href=\"{E(manageUrl)}\" style=\"color:#6b7280;\">Manage your alerts</a><br>Unsubscribe from "
                + string.Join(" · ", sections.Select(x => $"<a href=\"{E(links.Unsubscribe(x.Subscription.Id))}\" style=\"color:#6b7280;\">&quot;{E(FrequencyText.Title(x.Subscription))}&quot;</a>"))
            : $"<a href=\"{E(manageUrl)}\" style=\"color:#6b7280;\">Manage your alerts</a> · <a href=\"{E(unsubscribeUrl)}\" style=\"color:#6b7280;\">Unsubscribe</a>";
        var because = grouped ? E(QueryList(sections)) : $"&quot;{E(first.Query)}&quot;";
        html.Append($"""
            <tr><td style="padding:16px 24px 24px;border-top:1px solid #e5e7eb;font-size:12px;color:#6b7280;line-height:1.5;">
            You get this {E(FrequencyText.Describe(first))} because you subscribed to {E(siteName)} alerts for {because}.<br>
            {footerLinks}
            </td></tr>
            </table>
            </td></tr></table>
            </body></html>
            """);

        message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
        return message;
    }

    /// <summary>"A" and "B"; "A", "B" and "C"; "A", "B" and 3 more alerts.</summary>
    /// <summary>" · by Jane Doe" after the feed's name, when the feed names the article's authors.</summary>
    private static string Byline(Article a) => string.IsNullOrWhiteSpace(a.Author) ? "" : " · by " + Collapse(a.Author);

    private static string TitleList(IReadOnlyList<Subscription> subscriptions)
    {
        var titles = subscriptions.Select(s => "\"" + FrequencyText.Title(s, 40) + "\"").ToList();
        if (titles.Count > 3)
            return $"{titles[0]}, {titles[1]} and {titles.Count - 2} more alerts";
        return titles.Count == 1 ? titles[0] : string.Join(", ", titles.Take(titles.Count - 1)) + " and " + titles[^1];
    }

    private static string QueryList(IReadOnlyList<DigestSection> sections) =>
        string.Join(", ", sections.Select(x => "\"" + x.Subscription.Query + "\""));

    /// <summary>The same for every attempt at one digest, so a retried send is recognisably the same message.</summary>
    public static string MessageIdFor(string subscriptionId, string digestKey, string domain) =>
        $"digest.{TableKeys.Hash(subscriptionId + "/" + digestKey, 32)}@{domain}";

    /// <summary>The link as an absolute http(s) URL, or null for anything else (javascript:, data:, relative, junk).</summary>
    public static string? SafeLink(string? link) =>
        Uri.TryCreate(link?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.AbsoluteUri
            : null;

    /// <summary>~240 characters of the body around the first body hit (or its start), as plain/highlighted runs.</summary>
    internal static IReadOnlyList<(string Text, bool Hit)> Snippet(DigestItem item)
    {
        var body = MatchText.Body(item.Article);
        if (string.IsNullOrWhiteSpace(body))
            return [];
        var hits = HitsIn(item.Hits, DocumentField.Body, body.Length);

        int start, end;
        if (hits.Count == 0)
        {
            start = 0;
            end = Math.Min(body.Length, SnippetLength);
        }
        else
        {
            // Some context before the first hit, the rest after it.
            start = Math.Max(0, hits[0].Start - SnippetLength / 3);
            end = Math.Min(body.Length, start + SnippetLength);
            start = Math.Max(0, end - SnippetLength);
            // Don't start or end mid-word when a space is close by (never cutting into the first hit).
            if (start > 0 && body.IndexOf(' ', start, Math.Min(20, hits[0].Start - start)) is var space and >= 0)
                start = space + 1;
        }
        if (end < body.Length && body.LastIndexOf(' ', end - 1, Math.Min(20, end - start)) is var cut and > 0
            && (hits.Count == 0 || cut >= hits[0].Start + hits[0].Length))
            end = cut;

        var runs = Segments(body, hits, start, end).ToList();
        if (start > 0)
            runs.Insert(0, ("…", false));
        if (end < body.Length)
            runs.Add(("…", false));
        return runs;
    }

    /// <summary>The hits in one field, clamped to the text (stored text can be shorter than what was matched), merged and sorted.</summary>
    private static List<(int Start, int Length)> HitsIn(IReadOnlyList<Hit> hits, DocumentField field, int textLength)
    {
        var ranges = hits
            .Where(h => h.Field == field && h.Length > 0 && h.Start >= 0 && h.Start < textLength)
            .Select(h => (Start: h.Start, End: Math.Min(textLength, h.Start + h.Length)))
            .OrderBy(r => r.Start)
            .ToList();
        var merged = new List<(int Start, int Length)>();
        foreach (var (s, e) in ranges)
        {
            if (merged.Count > 0 && s <= merged[^1].Start + merged[^1].Length)
            {
                var last = merged[^1];
                merged[^1] = (last.Start, Math.Max(last.Start + last.Length, e) - last.Start);
            }
            else
                merged.Add((s, e - s));
        }
        return merged;
    }

    private static IReadOnlyList<(string Text, bool Hit)> Segments(string text, List<(int Start, int Length)> hits) =>
        Segments(text, hits, 0, text.Length).ToList();

    private static IEnumerable<(string Text, bool Hit)> Segments(string text, List<(int Start, int Length)> hits, int start, int end)
    {
        var pos = start;
        foreach (var (hitStart, hitLength) in hits)
        {
            var s = Math.Max(hitStart, start);
            var e = Math.Min(hitStart + hitLength, end);
            if (e <= s || s < pos)
                continue;
            if (s > pos)
                yield return (text[pos..s], false);
            yield return (text[s..e], true);
            pos = e;
        }
        if (pos < end)
            yield return (text[pos..end], false);
    }

    private static string RenderHtml(IEnumerable<(string Text, bool Hit)> runs) => string.Concat(runs.Select(r =>
        r.Hit ? $"<mark style=\"{MarkStyle}\">{E(Whitespace(r.Text))}</mark>" : E(Whitespace(r.Text))));

    private static string RenderText(IEnumerable<(string Text, bool Hit)> runs) =>
        string.Concat(runs.Select(r => r.Hit ? "*" + Whitespace(r.Text) + "*" : Whitespace(r.Text)));

    private static string FormatTime(DateTimeOffset time, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(time, zone);
        var offset = local.Offset == TimeSpan.Zero ? "UTC"
            : "UTC" + (local.Offset < TimeSpan.Zero ? "-" : "+") + local.Offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
        return local.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " " + offset;
    }

    /// <summary>A display name safe inside a header phrase: no quotes, brackets or control characters.</summary>
    private static string HeaderPhrase(string name)
    {
        var clean = new string(name.Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '.').ToArray()).Trim();
        return clean.Length == 0 ? "Alerts" : clean;
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Whitespace(string text) => WhitespaceRun().Replace(text, " ");

    private static string Collapse(string text) => Whitespace(text).Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();
}
