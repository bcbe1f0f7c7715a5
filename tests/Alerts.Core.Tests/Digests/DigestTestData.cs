using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Subscriptions;
using Alerts.Core.Web;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Tests.Digests;

/// <summary>Subscriptions, articles and link signing shared by the digest and email tests.</summary>
internal static class DigestTestData
{
    public static readonly SiteOptions Site = new() { PublicBaseUrl = "https://alerts.example.org", Name = "Alerts" };

    public const string SigningKey = "test-signing-key-that-is-long-enough-0123456789";

    public static SubscriptionLinks Links(TimeProvider? time = null) => new(
        new SubscriptionTokens(Options.Create(new TokenOptions { SigningKey = SigningKey }), time ?? TimeProvider.System),
        Options.Create(Site));

    /// <summary>
    /// <see cref="Site"/>, the signing key of <see cref="Links"/> and, when given, the SMTP server (mail from
    /// alerts@alerts.example.org), as a host's configuration gives them: the settings of a digest test's
    /// <see cref="Infrastructure.CoreTestServices"/> graph.
    /// </summary>
    public static Dictionary<string, string?> Settings(Infrastructure.TestSmtpServer? smtp = null)
    {
        var settings = smtp?.Settings("alerts@alerts.example.org") ?? [];
        settings["Site:PublicBaseUrl"] = Site.PublicBaseUrl;
        settings["Site:Name"] = Site.Name;
        settings["Tokens:SigningKey"] = SigningKey;
        return settings;
    }

    /// <summary>The renderer the hosts register as a singleton; emails render through it.</summary>
    public static readonly ComponentRenderer Renderer =
        new(Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection()), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

    public static EmailWriter Writer(SmtpOptions? smtp = null) => new(Renderer, Options.Create(smtp ?? Smtp()));

    public static SmtpOptions Smtp(string unsubscribeMailbox = "") => new()
    {
        FromAddress = "alerts@alerts.example.org",
        FromName = "Alerts",
        UnsubscribeMailbox = unsubscribeMailbox,
    };

    public static Subscription Subscription(
        Frequency frequency = Frequency.Daily,
        SubscriptionStatus status = SubscriptionStatus.Active,
        string query = "DACA",
        string timeZone = "America/New_York",
        int digestHour = 8,
        DayOfWeek digestDay = DayOfWeek.Monday,
        string email = "reader@example.com") => new(
            SubscriptionStore.NewId(), email, query, frequency, status,
            CreatedAt: new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            ConfirmedAt: new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero),
            TimeZone: timeZone, DigestHour: digestHour, DigestDay: digestDay);

    public static Article Article(
        string itemKey,
        string title = "Court rules on DACA",
        string summary = "The court ruled on DACA today.",
        string content = "",
        string? link = null,
        string feedTitle = "Example News",
        string feedId = "feed0001",
        DateTimeOffset? published = null) => new(
            feedId, itemKey, title, link ?? "https://news.example.com/" + itemKey, summary, content,
            published ?? new DateTimeOffset(2026, 11, 26, 13, 30, 0, TimeSpan.Zero),
            published ?? new DateTimeOffset(2026, 11, 26, 13, 31, 0, TimeSpan.Zero),
            feedTitle, "news.example.com");
}
