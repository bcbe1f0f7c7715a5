using System.Globalization;
using System.Text.RegularExpressions;
using Alerts.Core.Digests.Templates;
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
/// Decides what a digest or alert email says (<see cref="DigestEmailModel"/>): which stories, in which section, in
/// full or by title, with which hits, links and footer. The layout is <c>Templates/DigestEmailHtml.razor</c> and
/// <see cref="DigestText"/>; the headers are <see cref="EmailEnvelope"/>'s.
/// </summary>
public sealed partial class DigestComposer(
    IOptions<SiteOptions> site,
    EmailWriter writer,
    SubscriptionLinks links,
    IOptions<UnsubscribeMailboxOptions>? unsubscribeMailbox = null)
{
    public Task<MimeMessage> ComposeAsync(Subscription subscription, string digestKey, IReadOnlyList<DigestItem> items, DateTimeOffset date) =>
        ComposeAsync(subscription.Id, [new DigestSection(subscription, items)], digestKey, date);

    /// <summary>
    /// One email for one or more subscriptions of the same address on the same schedule, a section per subscription in
    /// the given order. An article several of them matched is shown once, in the first section that has it, with the
    /// other alerts noted ("Also matches"). Each subscription's cap applies within its own section.
    /// </summary>
    /// <param name="digestId">The subscription whose Digests row carries this email (the lead): it names the Message-ID.</param>
    public Task<MimeMessage> ComposeAsync(string digestId, IReadOnlyList<DigestSection> sections, string digestKey, DateTimeOffset date)
    {
        var model = Model(sections);
        var first = sections[0].Subscription;
        var smtp = writer.Smtp;
        // List-Unsubscribe stops everything the email carries: one alert's own link, or for a grouped digest a link
        // naming this email's send record (every alert in it). The footer keeps a link per alert, and the
        // unsubscribe page (the GET of the same link) offers "unsubscribe from all alerts to this address".
        var subject = sections.Count > 1 ? EmailUnsubscribe.Subject(digestId, digestKey) : first.Id;
        var list = new ListHeaders(site.Value.Name, smtp.EffectiveListIdDomain,
            sections.Count > 1 ? links.UnsubscribeEmail(digestId, digestKey) : links.Unsubscribe(first.Id),
            // Only when MailtoUnsubscribeHandler reads that mailbox; it carries the HTTPS link's signed token, not a bare id.
            !string.IsNullOrWhiteSpace(smtp.UnsubscribeMailbox) && unsubscribeMailbox?.Value.Enabled == true
                ? MailtoUnsubscribeHandler.MailtoFor(smtp.UnsubscribeMailbox, links.Tokens.Create(subject, TokenPurpose.Unsubscribe))
                : null);
        var envelope = new EmailEnvelope([first.Email], model.Subject, MessageIdFor(digestId, digestKey, smtp.EffectiveListIdDomain), date, list);
        return writer.WriteAsync<DigestEmailHtml>(envelope, model, DigestText.Render(model));
    }

    /// <summary>What the email says, for these sections in this order.</summary>
    public DigestEmailModel Model(IReadOnlyList<DigestSection> sections)
    {
        if (sections.Count == 0)
            throw new ArgumentException("A digest needs at least one section.", nameof(sections));
        var first = sections[0].Subscription;
        var grouped = sections.Count > 1;
        var zone = DigestSchedule.Zone(first.TimeZone);

        // Each article once, in the first section that has it; the later sections that also have it are noted there.
        var shown = new HashSet<string>(StringComparer.Ordinal);
        var parts = new List<DigestEmailSection>();
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
            IReadOnlyList<string> AlsoFor(DigestGroup g) => also.TryGetValue(g, out var titles) ? titles : [];
            parts.Add(new DigestEmailSection(
                FrequencyText.Title(subscription),
                groups.Count,
                full.Select(g => Item(g, AlsoFor(g), Why(g.Lead), zone)).ToList(),
                groups.Skip(full.Count).Select(g => new DigestEmailLine(
                    Collapse(g.Lead.Article.Title), MatchedText.SafeLink(g.Lead.Article.Link), Collapse(g.Lead.Article.FeedTitle), AlsoFor(g),
                    Why(g.Lead))).ToList()));
        }
        var total = parts.Sum(p => p.Count);
        var articlesText = $"{total} new article{(total == 1 ? "" : "s")}";
        var subject = grouped ? $"{articlesText} for {TitleList(sections.Select(x => x.Subscription).ToList())}" : $"{articlesText} for {FrequencyText.Quoted(FrequencyText.Title(first))}";
        return new DigestEmailModel(
            subject, site.Value.Name, FrequencyText.Describe(first), grouped, parts,
            string.Join(", ", sections.Select(x => FrequencyText.Quoted(x.Subscription.Query))),
            links.Manage(first.Id),
            sections.Select(x => new DigestUnsubscribeLink(FrequencyText.Title(x.Subscription), links.Unsubscribe(x.Subscription.Id))).ToList());
    }

    /// <summary>
    /// "DACA in the title; sanctuary city in the text", from the match's own hits, as the preview says it: linear in the
    /// hits whatever the query. The plain evaluator would say it per part of the query, but a subscriber's query can
    /// cost it minutes over long articles (ten stop words within a hundred words), on a worker other emails wait for.
    /// Null when the hits name nothing (an article edited since it matched, or a query of exclusions only).
    /// </summary>
    private static string? Why(DigestItem item) =>
        item.Hits.Count > 0 && MatchExplanation.FromHits(MatchedText.Document(item.Article), item.Hits) is { Reasons.Count: > 0 } why
            ? why.ToString()
            : null;

    private static DigestEmailItem Item(DigestGroup group, IReadOnlyList<string> alsoMatches, string? why, TimeZoneInfo zone)
    {
        var (item, a) = (group.Lead, group.Lead.Article);
        var link = MatchedText.SafeLink(a.Link);
        return new DigestEmailItem(
            Whitespace(MatchedText.Title(a, item.Hits)),
            string.IsNullOrWhiteSpace(a.Title),
            link,
            link is null && !string.IsNullOrWhiteSpace(a.Link) ? Collapse(a.Link) : null,
            Collapse(a.FeedTitle) + Byline(a),
            FormatTime(a.PublishedAt, zone),
            Whitespace(MatchedText.Snippet(a, item.Hits)),
            group.Others.Select(o => new DigestAlsoIn(Collapse(o.Article.FeedTitle), MatchedText.SafeLink(o.Article.Link))).ToList(),
            alsoMatches,
            why);
    }

    /// <summary>" · by Jane Doe" after the feed's name, when the feed names the article's authors.</summary>
    private static string Byline(Article a) => string.IsNullOrWhiteSpace(a.Author) ? "" : " · by " + Collapse(a.Author);

    /// <summary>"A" and "B"; "A", "B" and "C"; "A", "B" and 3 more alerts.</summary>
    private static string TitleList(IReadOnlyList<Subscription> subscriptions)
    {
        var titles = subscriptions.Select(s => FrequencyText.Quoted(FrequencyText.Title(s, 40))).ToList();
        if (titles.Count > 3)
            return $"{titles[0]}, {titles[1]} and {titles.Count - 2} more alerts";
        return titles.Count == 1 ? titles[0] : string.Join(", ", titles.Take(titles.Count - 1)) + " and " + titles[^1];
    }

    /// <summary>The same for every attempt at one digest, so a retried send is recognisably the same message.</summary>
    public static string MessageIdFor(string subscriptionId, string digestKey, string domain) =>
        $"digest.{TableKeys.Hash(subscriptionId + "/" + digestKey, 32)}@{domain}";

    private static string FormatTime(DateTimeOffset time, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(time, zone);
        var offset = local.Offset == TimeSpan.Zero ? "UTC"
            : "UTC" + (local.Offset < TimeSpan.Zero ? "-" : "+") + local.Offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
        return local.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " " + offset;
    }

    private static List<(string Text, bool Hit)> Whitespace(IEnumerable<(string Text, bool Hit)> runs) =>
        runs.Select(r => (WhitespaceRun().Replace(r.Text, " "), r.Hit)).ToList();

    private static string Collapse(string text) => WhitespaceRun().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();
}
