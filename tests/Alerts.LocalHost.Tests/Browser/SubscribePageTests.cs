using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Alerts.LocalHost.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class SubscribePageTests(BrowserFixture browser, AzuriteFixture azurite)
{
    [Fact]
    public async Task A_person_subscribes_with_the_form_and_confirms_from_the_email()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync();

        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Email address").FillAsync("jane@example.test");
        await page.GetByLabel("Query").FillAsync("DACA");
        await page.GetByLabel("How often").SelectOptionAsync("daily");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" })).ToBeVisibleAsync();

        var email = await host.Smtp.WaitForMessageAsync(m => m.To.Mailboxes.Any(a => a.Address == "jane@example.test"), TimeSpan.FromSeconds(10));
        var link = System.Text.RegularExpressions.Regex.Match(email.TextBody ?? "", @"https?://\S+/confirm\?token=\S+").Value;
        await page.GotoAsync(link);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm subscription" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You're subscribed" })).ToBeVisibleAsync();

        var subscription = Assert.Single(await host.Service<SubscriptionStore>().ListByEmailAsync("jane@example.test"));
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
    }

    [Fact]
    public async Task A_query_that_does_not_parse_shows_the_parser_message_next_to_the_query_field()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync();

        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Email address").FillAsync("jane@example.test");
        await page.GetByLabel("Query").FillAsync("\"sanctuary city");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();

        var error = page.Locator("#query-error");
        await Assertions.Expect(error).ToBeVisibleAsync();
        await Assertions.Expect(error).ToContainTextAsync("position");
        await Assertions.Expect(page.GetByLabel("Query")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Empty(await host.Service<SubscriptionStore>().ListByEmailAsync("jane@example.test"));
    }
}
