using Alerts.Core.Email;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Digests;
using MimeKit;

namespace Alerts.Core.Tests.Email;

public sealed class ConfirmationEmailTests
{
    private const string ConfirmUrl = "https://alerts.example.org/confirm?token=abc.def";

    [Fact]
    public async Task Explains_the_request_and_carries_the_confirm_link_in_both_parts()
    {
        var subscription = DigestTestData.Subscription(Frequency.Daily, SubscriptionStatus.Pending, query: "DACA AND court");

        var message = await ConfirmationEmail.ComposeAsync(DigestTestData.Writer(), subscription, ConfirmUrl, DigestTestData.Site);

        Assert.Equal("Confirm your Alerts subscription", message.Subject); // our words only: anyone can have this sent to anyone
        Assert.Equal("reader@example.com", message.To.Mailboxes.Single().Address);
        Assert.Equal("alerts@alerts.example.org", message.From.Mailboxes.Single().Address);
        var body = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal(2, body.Count);
        foreach (var part in new[] { message.TextBody, message.HtmlBody })
        {
            Assert.Contains("DACA AND court", part);
            Assert.Contains("once a day at 08:00 (America/New_York)", part);
            Assert.Contains("wasn't you", part);
        }
        Assert.Contains(ConfirmUrl, message.TextBody);
        Assert.Contains("href=\"https://alerts.example.org/confirm?token=abc.def\"", message.HtmlBody);
        // Transactional mail: no list headers.
        Assert.Null(message.Headers["List-Unsubscribe"]);
    }

    [Fact]
    public async Task Escapes_the_query_in_html()
    {
        var subscription = DigestTestData.Subscription(Frequency.Instant, SubscriptionStatus.Pending,
            query: "<script>alert(1)</script> \"x\" & y");

        var message = await ConfirmationEmail.ComposeAsync(DigestTestData.Writer(), subscription, ConfirmUrl, DigestTestData.Site);

        Assert.DoesNotContain("<script>", message.HtmlBody);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot; &amp; y", message.HtmlBody);
        Assert.Contains("as soon as a matching article appears", message.TextBody);
    }

    [Fact]
    public async Task Escapes_the_confirm_url_attribute()
    {
        var subscription = DigestTestData.Subscription(Frequency.Weekly, SubscriptionStatus.Pending, digestDay: DayOfWeek.Friday);

        var message = await ConfirmationEmail.ComposeAsync(DigestTestData.Writer(), subscription, "https://alerts.example.org/confirm?token=a\"onclick=\"x", DigestTestData.Site);

        Assert.DoesNotContain("\"onclick=\"", message.HtmlBody);
        Assert.Contains("once a week, on Friday at 08:00", message.HtmlBody);
    }
}
