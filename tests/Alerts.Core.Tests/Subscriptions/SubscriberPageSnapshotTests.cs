using System.Text.RegularExpressions;
using Alerts.Core.Subscriptions;
using Alerts.Core.Subscriptions.Pages;
using Alerts.Core.Tests.Infrastructure;
using Alerts.Core.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>
/// Every subscriber page rendered from fixed inputs and compared with a golden file under <c>Snapshots/</c>, so the
/// move from C# strings to components (and any later change) shows up as a diff. The inputs carry markup and quotes
/// so that the snapshots also pin the encoding. Set ALERTS_UPDATE_SNAPSHOTS=1 to rewrite the files on purpose.
/// </summary>
public sealed partial class SubscriberPageSnapshotTests
{
    private const string Site = "Alerts <Dev>";
    private const string Token = "tok\"en<&>.sig";
    private static readonly DateTimeOffset Created = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);

    private static Subscription Sub(string id, string query, Frequency frequency, SubscriptionStatus status, string? label = null,
        IReadOnlyList<string>? sites = null, int? maxItems = null) =>
        new(id, "jane+<b>@example.test", query, frequency, status, Created, Created, "Europe/Berlin", 7, DayOfWeek.Friday, label,
            Sites: sites, MaxItems: maxItems);

    private static readonly Subscription Daily = Sub("sub1", "\"sanctuary city\" AND <Chicago>", Frequency.Daily, SubscriptionStatus.Active);

    private static readonly PreviewResult Preview = new("DACA", Created.AddDays(-7), 23, 180,
    [
        new PreviewArticle("Court rules on <DACA> & \"Dreamers\"", "https://news.example.com/a?x=1&y=2", "Example <News>", "news.example.com",
            new DateTimeOffset(2026, 3, 1, 14, 5, 0, TimeSpan.Zero), "snippet", 2),
        new PreviewArticle("", null, "Wire", "wire.example", new DateTimeOffset(2026, 2, 28, 23, 59, 0, TimeSpan.Zero), "", 0),
    ], Complete: false);

    public static TheoryData<string> Pages => new(Models.Keys);

    /// <summary>Where validation says the query's error is, as the endpoints pass it to the page.</summary>
    private static int? ErrorAt(string query) => new SubscribeRequest(null, query, null).Validate().QueryErrorAt;

    private static readonly Dictionary<string, object> Models = new(StringComparer.Ordinal)
    {
        ["subscribe-empty"] = new SubscribePageModel(Site, new SubscribeRequest(null, "DACA", "daily"), new Dictionary<string, string[]>()),
        ["subscribe-errors"] = new SubscribePageModel(Site,
            new SubscribeRequest("not-an-address", "<x> AND (", "weekly", "Mars/Olympus", 25, "Funday", "My <label>", ["bad site"], 0),
            Errors("email", "query", "frequency", "timeZone", "digestHour", "digestDay", "label", "sites", "maxItems"), QueryErrorAt: ErrorAt("<x> AND (")),
        ["subscribe-preview"] = new SubscribePageModel(Site, new SubscribeRequest("a@example.test", "DACA", "instant", "UTC", 8, "Monday", null, ["reuters.com"], 5),
            new Dictionary<string, string[]>(), Preview),
        ["subscribe-preview-none"] = new SubscribePageModel(Site, new SubscribeRequest("a@example.test", "zzz", "hourly"),
            new Dictionary<string, string[]>(), Preview with { Count = 0, Articles = [], Complete = true }),
        ["subscribe-message"] = new SubscribePageModel(Site, new SubscribeRequest("a@example.test", "DACA", "daily"),
            new Dictionary<string, string[]>(), null, "Too many previews; wait a minute and try again."),
        ["subscribe-explained-match"] = new SubscribePageModel(Site, new SubscribeRequest("a@example.test", "DACA", "daily"),
            new Dictionary<string, string[]>(), Article: new ArticleTest("https://news.example.com/a?x=1&y=<2>", null,
                new ArticleExplanation(true, ["DACA in the title", "<court> in the text"], "Court rules on <DACA>"))),
        ["subscribe-explained-miss"] = new SubscribePageModel(Site, new SubscribeRequest("a@example.test", "immigration -sports", "daily"),
            new Dictionary<string, string[]>(), Article: new ArticleTest(null, "Line one\n<b>Sports</b> & immigration",
                new ArticleExplanation(false, ["-sports excluded it (sports is in it)"], "Line one"))),
        ["subscribe-explained-problem"] = new SubscribePageModel(Site, new SubscribeRequest("a@example.test", "DACA", "daily"),
            new Dictionary<string, string[]>(), Article: new ArticleTest("http://10.0.0.1/", null,
                ArticleExplanation.Failed("That address is not on the public internet, so we do not fetch it."))),
        ["check-email"] = new CheckEmailPageModel(Site, SubscriptionEndpoints.PendingMessage),
        ["confirm"] = new ConfirmPageModel(Site, Daily with { Status = SubscriptionStatus.Pending }, Token),
        ["confirmed"] = new ConfirmedPageModel(Site, Daily, "https://alerts.example.org/manage?token=a&b=\"c\""),
        ["confirmed-first-email"] = new ConfirmedPageModel(Site, Daily, "https://alerts.example.org/manage?token=a",
            "Your first digest comes Tuesday 3 March at 07:00 (Europe/Berlin), with the <stories> that matched until then."),
        ["unsubscribed-already"] = new UnsubscribedPageModel(Site, Daily with { Status = SubscriptionStatus.Unsubscribed }, false,
            "https://alerts.example.org/manage?token=a&b", Already: true),
        ["unsubscribe-grouped"] = new UnsubscribePageModel(Site, Daily, Token,
            [Daily, Sub("sub5", "refugees <b>", Frequency.Daily, SubscriptionStatus.Active, label: "Refugee \"news\"")]),
        ["unsubscribe"] = new UnsubscribePageModel(Site, Daily, Token),
        ["unsubscribed-one"] = new UnsubscribedPageModel(Site, Daily, false, "https://alerts.example.org/manage?token=a&b"),
        ["unsubscribed-all"] = new UnsubscribedPageModel(Site, Daily, true, "https://alerts.example.org/manage?token=a&b"),
        ["invalid-confirm"] = new InvalidLinkPageModel(Site, "confirm"),
        ["invalid-manage"] = new InvalidLinkPageModel(Site, null),
        ["manage"] = new ManagePageModel(Site, ManageContext(), Token, "Your changes are saved.", null, null),
        ["manage-edit-error"] = new ManagePageModel(Site, ManageContext(), Token, null, "That alert is not one of this address's alerts.",
            new ManageEdit("sub2", new SubscribeRequest(null, "immigra* (", "daily", "Nowhere/City"),
                Errors("query", "timeZone"), ErrorAt("immigra* ("))),
        ["manage-explained"] = new ManagePageModel(Site, ManageContext(), Token, Tested: new ManageArticleTest("sub2",
            new ArticleTest(null, "Immigration <news>", new ArticleExplanation(false, ["it is not from reuters.com"], "")))),
        ["manage-suppressed"] = new ManagePageModel(Site, ManageContext(), Token, Delivery: new Alerts.Core.Email.AddressBounces(
            "jane+<b>@example.test", 3, new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), "550 <no such user>", true)),
        ["links-revoked"] = new LinksRevokedPageModel(Site, "jane+<b>@example.test", true),
        ["links-revoked-unsent"] = new LinksRevokedPageModel(Site, "jane+<b>@example.test", false),
        ["delete-confirm"] = new DeleteConfirmPageModel(Site, "jane+<b>@example.test", 3, Token),
        ["deleted"] = new DeletedPageModel(Site, "jane+<b>@example.test", 1),
        ["manage-link-sent"] = new ManageLinkPageModel(Site, "jane+<b>@example.test", Sent: true),
        ["manage-link-error"] = new ManageLinkPageModel(Site, "jane+<b>", "The <email> is \"wrong\"."),
    };

    /// <summary>Fixed messages, so the snapshots do not change with the parser's or the validator's wording.</summary>
    private static Dictionary<string, string[]> Errors(params string[] fields) =>
        fields.ToDictionary(f => f, f => new[] { $"The <{f}> is \"wrong\".", "Fix it." });

    private static ManageContext ManageContext()
    {
        var subs = new[]
        {
            Daily,
            Sub("sub2", "immigra* -sports", Frequency.Weekly, SubscriptionStatus.Paused, label: "Immigration <weekly>", sites: ["reuters.com", "apnews.com"], maxItems: 1),
            Sub("sub3", "DACA", Frequency.Instant, SubscriptionStatus.Pending, maxItems: 10),
            Sub("sub4", "old news", Frequency.Hourly, SubscriptionStatus.Unsubscribed),
        };
        return new ManageContext(subs[0], subs);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Each_subscriber_page_renders_as_its_golden_file(string name)
    {
        var html = await RenderAsync(Models[name]);
        var path = Path.Combine(RepositoryRoot.Path, "tests", "Alerts.Core.Tests", "Subscriptions", "Snapshots", name + ".html");
        if (Environment.GetEnvironmentVariable("ALERTS_UPDATE_SNAPSHOTS") == "1")
            await File.WriteAllTextAsync(path, WithoutZoneList(html));
        Assert.True(File.Exists(path), $"No golden file {path}: run once with ALERTS_UPDATE_SNAPSHOTS=1 and review it.");
        Assert.Equal(Normalise(await File.ReadAllTextAsync(path)), Normalise(WithoutZoneList(html)));
    }

    private static readonly ComponentRenderer Renderer =
        new(new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance);

    private static Task<string> RenderAsync(object model) => model switch
    {
        SubscribePageModel m => Renderer.RenderAsync<SubscribePage>(m),
        CheckEmailPageModel m => Renderer.RenderAsync<CheckEmailPage>(m),
        ConfirmPageModel m => Renderer.RenderAsync<ConfirmPage>(m),
        ConfirmedPageModel m => Renderer.RenderAsync<ConfirmedPage>(m),
        UnsubscribePageModel m => Renderer.RenderAsync<UnsubscribePage>(m),
        UnsubscribedPageModel m => Renderer.RenderAsync<UnsubscribedPage>(m),
        InvalidLinkPageModel m => Renderer.RenderAsync<InvalidLinkPage>(m),
        ManagePageModel m => Renderer.RenderAsync<ManagePage>(m),
        LinksRevokedPageModel m => Renderer.RenderAsync<LinksRevokedPage>(m),
        DeleteConfirmPageModel m => Renderer.RenderAsync<DeleteConfirmPage>(m),
        DeletedPageModel m => Renderer.RenderAsync<DeletedPage>(m),
        ManageLinkPageModel m => Renderer.RenderAsync<ManageLinkPage>(m),
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    /// <summary>The time-zone suggestions come from the machine's zone database, which differs between machines.</summary>
    private static string WithoutZoneList(string html)
    {
        var match = ZoneList().Match(html);
        if (!match.Success)
            return html;
        Assert.Contains("<option value=\"Europe/Berlin\">", match.Value);
        return ZoneList().Replace(html, "<datalist id=\"time-zones\">(zones)</datalist>");
    }

    [GeneratedRegex("<datalist id=\"time-zones\">.*?</datalist>", RegexOptions.Singleline)]
    private static partial Regex ZoneList();

    /// <summary>
    /// As PageLayoutTests: decoded text and tags with whitespace collapsed (the encoders differ in which safe characters
    /// they escape); and a void element's optional closing slash (<c>&lt;input ... /&gt;</c>, which the component
    /// renderer writes) is dropped, since HTML ignores it.
    /// </summary>
    private static string Normalise(string html) => Web.PageLayoutTests.Normalise(html).Replace(" />", ">", StringComparison.Ordinal);
}
