using Alerts.Core.Email;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Digests;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>
/// Anyone can have us send a confirmation email to any address, so what they type must not become our words:
/// the label stays out of the subject, the query stays on one line, and invisible or control characters are refused.
/// </summary>
public sealed class AttackerTextTests
{
    private const string ConfirmUrl = "https://alerts.example.org/confirm?token=abc.def";

    [Fact]
    public async Task The_label_never_reaches_the_confirmation_subject()
    {
        var subscription = DigestTestData.Subscription(Frequency.Daily, SubscriptionStatus.Pending, query: "DACA") with
        {
            Label = "Your account is suspended, call +1 555 0100",
        };

        var message = await ConfirmationEmail.ComposeAsync(DigestTestData.Writer(), subscription, ConfirmUrl, DigestTestData.Site);

        Assert.DoesNotContain("suspended", message.Subject);
        Assert.DoesNotContain("suspended", message.TextBody);
        Assert.DoesNotContain("suspended", message.HtmlBody);
    }

    [Fact]
    public async Task A_query_with_line_breaks_is_shown_on_one_line()
    {
        var request = new SubscribeRequest("jane@example.test", "DACA\r\n\r\nYour password expired. Reset it at evil.test\n", "daily");
        Assert.Empty(request.Validate().Errors);
        var subscription = request.ToPendingSubscription(SubscriptionStore.NewId(), DateTimeOffset.UnixEpoch);

        var message = await ConfirmationEmail.ComposeAsync(DigestTestData.Writer(), subscription, ConfirmUrl, DigestTestData.Site);

        Assert.Equal("DACA Your password expired. Reset it at evil.test", subscription.Query);
        Assert.Contains(message.TextBody!.Split('\n'), line => line.Trim() == subscription.Query);
    }

    [Theory]
    [InlineData("email", "jane\u202E@example.test")] // right-to-left override
    [InlineData("email", "ja\u200Bne@example.test")] // zero-width space
    [InlineData("query", "DACA\u0000")] // NUL
    [InlineData("query", "DACA\u0007 court")] // BEL
    [InlineData("query", "\u2066DACA\u2069")] // isolates
    [InlineData("query", "DACA\u2028court")] // line separator
    [InlineData("label", "News\u001b[31m")] // ESC
    [InlineData("label", "gro\u00ADup")] // soft hyphen (format)
    public void Control_bidi_and_zero_width_characters_are_refused_at_input(string field, string value)
    {
        var request = new SubscribeRequest(
            field == "email" ? value : "jane@example.test",
            field == "query" ? value : "DACA",
            "daily",
            Label: field == "label" ? value : null);

        var errors = request.Validate().Errors;

        Assert.True(errors.ContainsKey(field), $"'{field}' should be refused; errors: {string.Join(", ", errors.Keys)}");
    }

    [Fact]
    public void Ordinary_text_in_any_script_is_accepted()
    {
        Assert.Empty(new SubscribeRequest("jane@example.test", "\"Flüchtlinge\" OR беженцы OR 難民 OR لاجئين", "daily", Label: "Réfugiés 🌍").Validate().Errors);
    }
}
