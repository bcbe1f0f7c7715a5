using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Digests;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Alerts.Core.Tests.Email;

/// <summary>Issue 15's email findings: what the words of an email say, in both its parts.</summary>
public sealed class EmailWordingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);
    private readonly SubscriptionLinks _links = DigestTestData.Links();

    private DigestComposer Composer() => new(Options.Create(DigestTestData.Site), DigestTestData.Writer(), _links);

    private static readonly Article Chicago = DigestTestData.Article("chicago", title: "DACA recipients in Chicago",
        summary: "The sanctuary city said it would protect them.");

    private static DigestItem Item(Article article, string query) =>
        new(article, QueryEvaluator.Evaluate(QueryParser.Parse(query), MatchedText.Document(article)) ?? []);

    private static string Html(MimeMessage message) => System.Net.WebUtility.HtmlDecode(message.HtmlBody ?? "");

    [Fact]
    public async Task A_phrase_query_is_quoted_once_in_the_subject_heading_and_footer()
    {
        var s = DigestTestData.Subscription(query: "\"sanctuary city\"");
        var message = await Composer().ComposeAsync(s, "daily-2026-11-26", [Item(Chicago, s.Query)], Now);

        Assert.Equal("1 new article for \"sanctuary city\"", message.Subject);
        Assert.StartsWith("1 new article for \"sanctuary city\"\n", message.TextBody!.ReplaceLineEndings("\n"));
        Assert.Contains("alerts for \"sanctuary city\"", message.TextBody);
        Assert.Contains(">1 new article for \"sanctuary city\"</td>", Html(message));
        Assert.Contains("alerts for \"sanctuary city\"", Html(message));
        Assert.DoesNotContain("\"\"", message.Subject + message.TextBody + Html(message));
    }

    [Fact]
    public async Task A_grouped_digest_quotes_each_phrase_alert_once()
    {
        var phrase = DigestTestData.Subscription(query: "\"sanctuary city\"");
        var daca = DigestTestData.Subscription(query: "DACA");
        var message = await Composer().ComposeAsync(phrase.Id,
            [new DigestSection(phrase, [Item(Chicago, phrase.Query)]), new DigestSection(daca, [Item(Chicago, daca.Query)])], "daily-2026-11-26", Now);

        Assert.Equal("1 new article for \"sanctuary city\" and \"DACA\"", message.Subject);
        Assert.Contains("Unsubscribe from \"sanctuary city\": ", message.TextBody);
        Assert.Contains("Also matches: \"DACA\"", message.TextBody);
        Assert.DoesNotContain("\"\"", message.Subject + message.TextBody + Html(message));
    }

    [Fact]
    public async Task No_email_says_alerts_alert()
    {
        var s = DigestTestData.Subscription(query: "DACA");
        var emails = new[]
        {
            await Composer().ComposeAsync(s, "daily-2026-11-26", [Item(Chicago, s.Query)], Now),
            await ConfirmationEmail.ComposeAsync(DigestTestData.Writer(), s, _links.Confirm(s.Id), DigestTestData.Site),
            await ManageEmails.DeleteConfirmationAsync(DigestTestData.Writer(), s.Email, _links.DeleteAll(s.Id), DigestTestData.Site),
            await ManageEmails.FreshManageLinkAsync(DigestTestData.Writer(), s.Email, _links.Manage(s.Id), DigestTestData.Site),
        };
        Assert.Equal("Alerts", DigestTestData.Site.Name);
        foreach (var email in emails)
            Assert.DoesNotMatch("(?i)alerts alert", email.Subject + "\n" + email.TextBody + "\n" + Html(email));
    }

    [Fact]
    public async Task Each_item_says_why_it_matched_in_both_parts()
    {
        const string query = "DACA AND \"sanctuary city\"";
        var s = DigestTestData.Subscription(query: query) with { MaxItems = 1 };
        var older = DigestTestData.Article("older", title: "Sanctuary city rules", summary: "DACA mentioned.",
            published: new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        var message = await Composer().ComposeAsync(s, "daily-2026-11-26", [Item(Chicago, query), Item(older, query)], Now);

        // The plain evaluator and the match's hits say the same here; the email says it from the hits (linear whatever the query).
        var why = MatchExplanation.Explain(QueryParser.Parse(query), MatchedText.Document(Chicago));
        Assert.True(why.Matches);
        Assert.Equal("DACA in the title; sanctuary city in the text", why.ToString());
        Assert.Equal(why.ToString(), MatchExplanation.FromHits(MatchedText.Document(Chicago), Item(Chicago, query).Hits).ToString());
        Assert.Contains("  Why: DACA in the title; sanctuary city in the text", message.TextBody);
        Assert.Contains("Why: DACA in the title; sanctuary city in the text", Html(message));
        // The story listed by title past the cap says why too, in the order its words stand (the title first).
        const string olderWhy = "Sanctuary city in the title; DACA in the text";
        Assert.Equal(olderWhy, MatchExplanation.FromHits(MatchedText.Document(older), Item(older, query).Hits).ToString());
        Assert.Contains(olderWhy, message.TextBody);
        Assert.Contains(olderWhy, Html(message));
    }
}
