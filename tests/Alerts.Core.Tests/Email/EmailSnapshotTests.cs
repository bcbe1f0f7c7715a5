using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Digests;
using Alerts.Core.Tests.Web;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Alerts.Core.Tests.Email;

/// <summary>
/// Every email we send, rendered from fixed inputs and compared with a golden file under <c>Email/Snapshots/</c>:
/// the headers and the text part byte for byte, the HTML part as decoded text and tags with whitespace collapsed
/// (Razor's encoder and WebUtility escape different safe characters). Set <c>ALERTS_UPDATE_SNAPSHOTS=1</c> to rewrite them
/// after a deliberate change, and say so in the commit.
/// </summary>
public sealed class EmailSnapshotTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private SubscriptionLinks Links => DigestTestData.Links(_time);

    private DigestComposer Composer(string unsubscribeMailbox = "") => new(
        Options.Create(DigestTestData.Site), DigestTestData.Writer(DigestTestData.Smtp(unsubscribeMailbox)), Links,
        Options.Create(new UnsubscribeMailboxOptions { ImapHost = unsubscribeMailbox.Length > 0 ? "imap.alerts.example.org" : "" }));

    private static Subscription Daca(string id = "0123456789abcdef0123456789abcdef") =>
        DigestTestData.Subscription(query: "\"sanctuary city\" AND DACA") with { Id = id, MaxItems = 2 };

    private static Hit Hit(DocumentField field, string text, string word) =>
        new(field, text.IndexOf(word, StringComparison.Ordinal), word.Length);

    private static DigestItem Item(Article article, params string[] words) => new(article,
        words.SelectMany(w => new[] { (DocumentField.Title, article.Title), (DocumentField.Body, MatchedText.Body(article)) }
            .Where(f => f.Item2.Contains(w, StringComparison.Ordinal)).Select(f => Hit(f.Item1, f.Item2, w))).ToList());

    private static readonly Article Court = DigestTestData.Article("court", title: "Court rules on DACA & \"sanctuary city\" <law>",
        summary: "A federal court ruled on DACA today.", content: "The sanctuary city of Chicago said it would comply. " + new string('x', 30) + " More text follows here.",
        published: new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero)) with { Author = "Jane Doe" };
    private static readonly Article Wire = DigestTestData.Article("wire", title: "Court rules on DACA & \"sanctuary city\" <law>",
        summary: "Wire copy of the DACA ruling.", feedTitle: "Wire Service", feedId: "feed0002",
        published: new DateTimeOffset(2026, 11, 26, 9, 5, 0, TimeSpan.Zero));
    private static readonly Article Unsafe = DigestTestData.Article("unsafe", title: "DACA hearing set", link: "javascript:alert(1)",
        summary: "Lawyers for DACA recipients <script>alert(1)</script> asked for a hearing.",
        published: new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero));
    private static readonly Article Older = DigestTestData.Article("older", title: "Older DACA story", summary: "From yesterday: DACA.",
        published: new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public Task A_daily_digest_renders_as_its_golden_file() =>
        Verify("digest-daily", Composer("unsubscribe@alerts.example.org").ComposeAsync(Daca(), "daily-2026-11-26",
            [Item(Court, "DACA", "sanctuary city"), Item(Wire, "DACA"), Item(Unsafe, "DACA"), Item(Older, "DACA")], Now));

    [Fact]
    public Task An_instant_alert_renders_as_its_golden_file() =>
        Verify("digest-instant", Composer().ComposeAsync(
            DigestTestData.Subscription(Frequency.Instant, query: "DACA") with { Id = "11111111111111111111111111111111" },
            "instant-" + Court.Id, [Item(Court, "DACA")], Now));

    [Fact]
    public Task A_grouped_digest_renders_as_its_golden_file()
    {
        var daca = Daca();
        var chicago = DigestTestData.Subscription(query: "Chicago") with { Id = "22222222222222222222222222222222", Label = "Chicago news" };
        var court = DigestTestData.Subscription(query: "court") with { Id = "33333333333333333333333333333333" };
        return Verify("digest-grouped", Composer().ComposeAsync(daca.Id,
            [
                new DigestSection(daca, [Item(Court, "DACA"), Item(Unsafe, "DACA")]),
                new DigestSection(chicago, [Item(Court, "Chicago"), Item(Older)]),
                new DigestSection(court, [Item(Court, "court")]),
            ], "daily-2026-11-26", Now));
    }

    [Fact]
    public Task The_confirmation_email_renders_as_its_golden_file() =>
        Verify("confirmation", ConfirmationEmail.ComposeAsync(DigestTestData.Writer(), 
            DigestTestData.Subscription(Frequency.Weekly, SubscriptionStatus.Pending, query: "\"sanctuary city\" <b>") with { Id = "44444444444444444444444444444444" },
            Links.Confirm("44444444444444444444444444444444"), DigestTestData.Site), generatedIds: true);

    [Fact]
    public Task The_delete_confirmation_email_renders_as_its_golden_file() =>
        Verify("manage-delete", ManageEmails.DeleteConfirmationAsync(DigestTestData.Writer(), "reader@example.com", Links.DeleteAll("44444444444444444444444444444444"),
            DigestTestData.Site), generatedIds: true);

    [Fact]
    public Task The_fresh_manage_link_email_renders_as_its_golden_file() =>
        Verify("manage-link", ManageEmails.FreshManageLinkAsync(DigestTestData.Writer(), "reader@example.com", Links.Manage("44444444444444444444444444444444"),
            DigestTestData.Site), generatedIds: true);

    [Fact]
    public Task The_manage_link_email_asked_for_on_the_subscribe_page_renders_as_its_golden_file() =>
        Verify("manage-link-requested", ManageEmails.RequestedManageLinkAsync(DigestTestData.Writer(), "reader@example.com", Links.Manage("44444444444444444444444444444444"),
            DigestTestData.Site), generatedIds: true);

    /// <summary>Compares (or with ALERTS_UPDATE_SNAPSHOTS=1 writes) name.headers.txt, name.txt and name.html.</summary>
    private static async Task Verify(string name, Task<MimeMessage> composing, bool generatedIds = false, [CallerFilePath] string here = "")
    {
        var message = await composing;
        var directory = Path.Combine(Path.GetDirectoryName(here)!, "Snapshots");
        var parts = new (string File, string Actual, Func<string, string> Normalise)[]
        {
            ($"{name}.headers.txt", Headers(message, generatedIds), s => s),
            ($"{name}.txt", message.TextBody ?? "", s => s),
            ($"{name}.html", message.HtmlBody ?? "", PageLayoutTests.Normalise),
        };
        foreach (var (file, actual, normalise) in parts)
        {
            var path = Path.Combine(directory, file);
            if (Environment.GetEnvironmentVariable("ALERTS_UPDATE_SNAPSHOTS") == "1")
            {
                Directory.CreateDirectory(directory);
                await File.WriteAllTextAsync(path, actual);
                continue;
            }
            Assert.True(File.Exists(path), $"No golden file {path}; run with ALERTS_UPDATE_SNAPSHOTS=1 to create it.");
            Assert.Equal(normalise(await File.ReadAllTextAsync(path)), normalise(actual));
        }
    }

    /// <summary>The envelope: every header but the MIME structure, unfolded; random ids and the send time masked.</summary>
    private static string Headers(MimeMessage message, bool generatedIds)
    {
        var text = new StringBuilder();
        foreach (var header in message.Headers)
        {
            if (header.Field is "MIME-Version" or "Content-Type")
                continue;
            var value = Regex.Replace(header.Value, @"\r?\n(?=[ \t])", "");
            if (generatedIds && header.Field is "Message-Id" or "Message-ID" or "Date")
                value = "(generated)";
            text.Append(header.Field).Append(": ").Append(value).Append('\n');
        }
        return text.ToString();
    }
}
