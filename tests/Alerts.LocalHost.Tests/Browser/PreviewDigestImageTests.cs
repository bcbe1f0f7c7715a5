using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Alerts.Core.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace Alerts.LocalHost.Tests.Browser;

/// <summary>
/// Renders an example digest (the real composer, sample articles) in headless Chromium. With
/// <c>ALERTS_WRITE_DOCS=1</c> it (re)writes docs/digest-example.png, the picture in the README; otherwise it checks
/// that the example still renders and that the committed picture exists.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PreviewDigestImageTests(BrowserFixture browser)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_example_digest_renders_in_chromium_as_the_picture_in_the_readme()
    {
        var html = (await ExampleDigest()).HtmlBody!;
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 680, Height = 900 } });
        await page.SetContentAsync(html);

        await Assertions.Expect(page.Locator("mark").First).ToBeVisibleAsync();
        var png = await page.ScreenshotAsync(new() { FullPage = true, Type = ScreenshotType.Png });
        Assert.True(png.Length > 10_000, "the screenshot should show a rendered digest");

        var target = Path.Combine(RepositoryRoot.Path, "docs", "digest-example.png");
        if (Environment.GetEnvironmentVariable("ALERTS_WRITE_DOCS") == "1")
            await File.WriteAllBytesAsync(target, png);
        Assert.True(File.Exists(target), "run with ALERTS_WRITE_DOCS=1 to write docs/digest-example.png");
        await page.CloseAsync();
    }

    [Fact]
    public async Task An_email_item_says_why_it_matched_as_the_picture_in_the_docs()
    {
        var html = (await ExampleDigest()).HtmlBody!;
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 680, Height = 900 } });
        await page.SetContentAsync(html);

        var why = page.GetByText("Why: DACA in the title and the text").First;
        await Assertions.Expect(why).ToBeVisibleAsync();
        var item = why.Locator("xpath=ancestor::td[1]");
        await Assertions.Expect(item.Locator("mark").First).ToBeVisibleAsync();
        var png = await item.ScreenshotAsync(new() { Type = ScreenshotType.Png });
        Assert.True(png.Length > 3_000, "the screenshot should show a rendered item");

        var target = Path.Combine(RepositoryRoot.Path, "docs", "screenshots", "email-why.png");
        if (Environment.GetEnvironmentVariable("ALERTS_WRITE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllBytesAsync(target, png);
        }
        Assert.True(File.Exists(target), "run with ALERTS_WRITE_DOCS=1 to write docs/screenshots/email-why.png");
        await page.CloseAsync();
    }

    private static async Task<MimeKit.MimeMessage> ExampleDigest()
    {
        var site = new SiteOptions { PublicBaseUrl = "https://alerts.example.org", Name = "Alerts" };
        var tokens = new SubscriptionTokens(Options.Create(new TokenOptions { SigningKey = "example-digest-signing-key-0123456789abcdef" }), TimeProvider.System);
        var composer = new DigestComposer(Options.Create(site), new EmailWriter(new ComponentRenderer(new ServiceCollection().BuildServiceProvider(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance),
                Options.Create(new SmtpOptions { FromAddress = "alerts@alerts.example.org", FromName = "Alerts" })),
            new SubscriptionLinks(tokens, Options.Create(site)));
        const string query = "DACA OR \"sanctuary city\"";
        var subscription = new Subscription(SubscriptionStore.NewId(), "jane@example.com", query, Frequency.Daily, SubscriptionStatus.Active, Now,
            TimeZone: "America/Chicago", DigestHour: 8, Label: "Immigration policy", MaxItems: 3);
        var parsed = QueryParser.Parse(query);

        DigestItem Item(string key, string title, string summary, string feed, string site, int hoursAgo, string? link = null)
        {
            var article = new Article("feed" + feed.Length, key, title, link ?? $"https://{site}/{key}", summary, "", Now.AddHours(-hoursAgo), Now.AddHours(-hoursAgo), feed, site);
            var hits = QueryEvaluator.Evaluate(parsed, new MatchDocument(title, MatchedText.Body(article), site)) ?? [];
            return new DigestItem(article, hits);
        }

        DigestItem[] items =
        [
            Item("1", "Supreme Court agrees to hear new DACA challenge", "The justices will decide whether the program can continue for its 530,000 recipients, with arguments expected in the spring.", "Capitol Wire", "capitolwire.example", 2),
            Item("2", "Supreme Court agrees to hear new DACA challenge", "Wire copy of the same story.", "Daily Ledger", "ledger.example", 1, "https://ledger.example/world/daca?utm_source=rss"),
            Item("3", "Chicago council votes to keep sanctuary city ordinance", "After a four-hour debate the council voted 35-15 to keep Chicago's sanctuary city protections in place.", "Lakefront Times", "lakefront.example", 5),
            Item("4", "What the DACA ruling means for students", "Universities say the sanctuary city debate and the DACA case will shape admissions for years.", "Campus Report", "campus.example", 8),
            Item("5", "Governors react to sanctuary city funding threat", "Several governors said they would challenge any cut.", "Statehouse News", "statehouse.example", 11),
            Item("6", "DACA renewals: a step-by-step guide", "How to renew before the deadline.", "Lakefront Times", "lakefront.example", 14),
        ];
        return await composer.ComposeAsync(subscription, "daily-2026-11-26", items, Now);
    }
}
