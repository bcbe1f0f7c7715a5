using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Alerts.Core.Web;
using Alerts.LocalHost.Tests.Browser;

namespace Alerts.LocalHost.Tests;

/// <summary>The preview API, the OpenAPI document and the abuse limits, through the local host.</summary>
[Collection(StorageCollection.Name)]
public sealed class SubscriberApiTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Preview_returns_the_stories_the_query_would_have_matched_in_the_last_7_days()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        await PreviewPageTests.StoreArticlesAsync(host);

        var response = await host.Http.GetAsync("/api/subscriptions/preview?q=" + Uri.EscapeDataString("DACA"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, json.RootElement.GetProperty("count").GetInt32());
        var titles = json.RootElement.GetProperty("articles").EnumerateArray().Select(a => a.GetProperty("title").GetString()).ToList();
        Assert.Equal(["Court rules on DACA", "DACA recipients <script>alert(1)</script> rally"], titles); // newest first
    }

    [Fact]
    public async Task Preview_of_a_bad_query_is_a_problem_with_the_parser_message_and_position()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);

        var response = await host.Http.GetAsync("/api/subscriptions/preview?q=" + Uri.EscapeDataString("\"sanctuary city"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(15, problem.RootElement.GetProperty("position").GetInt32());
        Assert.Equal("This quote is never closed: add a closing \" after \u201Csanctuary city\u201D.",
            problem.RootElement.GetProperty("errors").GetProperty("q")[0].GetString());
    }

    [Fact]
    public async Task The_openapi_document_describes_every_subscriber_api_route()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);

        using var doc = JsonDocument.Parse(await host.Http.GetStringAsync("/api/openapi.json"));

        Assert.StartsWith("3.1", doc.RootElement.GetProperty("openapi").GetString());
        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        var apiRoutes = DeclaredFunctions.All.Where(f => f.Method.DeclaringType == typeof(SubscriberFunctions)).Where(f => f.Route is { } r && r.StartsWith("api/", StringComparison.Ordinal) && r != Routes.OpenApi)
            .Select(f => "/" + f.Route).ToHashSet();
        Assert.Equal(apiRoutes, paths);
    }

    [Fact]
    public async Task One_network_gets_429_after_its_hourly_subscribe_limit()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var limit = new SubscribeLimitOptions().PerClientPerHour;

        for (var i = 0; i < limit; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await Subscribe(host, $"reader{i}@example.test")).StatusCode);
        var refused = await Subscribe(host, "one-more@example.test");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Empty(await host.Service<SubscriptionStore>().ListByEmailAsync("one-more@example.test"));

        host.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.Accepted, (await Subscribe(host, "one-more@example.test")).StatusCode);
    }

    [Fact]
    public async Task Previews_are_limited_per_client_per_minute()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var limit = new SubscribeLimitOptions().PreviewsPerClientPerMinute;

        for (var i = 0; i < limit; i++)
            Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/api/subscriptions/preview?q=DACA")).StatusCode);
        var refused = await host.Http.GetAsync("/api/subscriptions/preview?q=DACA");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/api/subscriptions/preview?q=DACA")).StatusCode);
    }

    [Fact]
    public async Task An_address_gets_a_limited_number_of_confirmation_emails_and_the_answers_look_the_same()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var limit = new SubscribeLimitOptions().PerAddressPerDay;

        var answers = new List<string>();
        for (var i = 0; i < limit + 3; i++)
        {
            var response = await Subscribe(host, "target@example.test", "query" + i);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.Single(answers.Distinct());
        // The emails go out after the answers (from the subscribe-request queue): wait for them, then for strays.
        await host.Smtp.WaitForMessageAsync(_ => host.Smtp.Messages.Count >= limit, TimeSpan.FromSeconds(10));
        await Task.Delay(1500); // any stray email would have arrived by now
        Assert.Equal(limit, host.Smtp.Messages.Count(m => m.To.Mailboxes.Any(a => a.Address == "target@example.test")));
    }

    [Fact]
    public async Task Two_host_instances_on_one_storage_account_share_one_subscribe_limit_whatever_X_Forwarded_For_says()
    {
        await using var first = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        await using var second = await LocalHostHarness.StartAsync(azurite, runTriggers: false, resetStorage: false);
        var limit = new SubscribeLimitOptions().PerClientPerHour;

        var accepted = 0;
        for (var i = 0; i < limit + 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/subscriptions")
            {
                Content = JsonContent.Create(new { email = $"reader{i}@example.test", query = "DACA", frequency = "daily" }),
            };
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i}"); // a rotating header must not make a new client
            var response = await (i % 2 == 0 ? first : second).Http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Accepted) accepted++;
            else Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        }

        Assert.Equal(limit, accepted);
    }

    [Fact]
    public async Task Plus_tags_do_not_multiply_the_confirmation_emails_one_mailbox_gets()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var limit = new SubscribeLimitOptions().PerAddressPerDay;

        for (var i = 1; i <= 8; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await Subscribe(host, $"victim+{i}@example.test")).StatusCode);

        await host.Smtp.WaitForMessageAsync(_ => host.Smtp.Messages.Count >= limit, TimeSpan.FromSeconds(10));
        await Task.Delay(1500); // any stray email would have arrived by now
        Assert.Equal(limit, host.Smtp.Messages.Count);
    }

    [Fact]
    public async Task Delete_all_confirmation_emails_count_against_the_address_limit()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var limit = new SubscribeLimitOptions().PerAddressPerDay;
        var subscription = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily); // one email: the confirmation
        var token = host.Service<SubscriptionTokens>().Create(subscription.Id, TokenPurpose.Manage);

        for (var i = 0; i < 12; i++)
        {
            var response = await host.Http.PostAsync("/manage", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["action"] = "delete-request" }));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        await Task.Delay(500); // any stray email would have arrived by now
        Assert.Equal(limit - 1, host.Smtp.Messages.Count(m => m.To.Mailboxes.Any(a => a.Address == subscription.Email)));
    }

    [Fact]
    public async Task An_erase_confirmation_past_the_send_rate_answers_503_with_retry_after_and_is_sent_when_asked_again_once_a_token_is_due()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false,
            extraSettings: new Dictionary<string, string?> { ["SendRate:PerMinute"] = "1" });
        var subscription = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily); // the confirmation takes the minute's token
        var token = host.Service<SubscriptionTokens>().Create(subscription.Id, TokenPurpose.Manage);
        var form = new Dictionary<string, string> { ["token"] = token, ["action"] = "delete-request" };

        var refused = await host.Http.PostAsync("/manage", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Contains("Please try again in", await refused.Content.ReadAsStringAsync());
        await Task.Delay(500); // any stray email would have arrived by now
        Assert.Empty(host.Smtp.Messages); // (the harness cleared the confirmation)

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Redirect, (await host.Http.PostAsync("/manage", new FormUrlEncodedContent(form))).StatusCode);
        Assert.Contains("/manage/delete?token=", (await host.EmailToAsync(subscription.Email)).TextBody);
    }

    private static Task<HttpResponseMessage> Subscribe(LocalHostHarness host, string email, string query = "DACA") =>
        host.Http.PostAsJsonAsync("/api/subscriptions", new { email, query, frequency = "daily" });
}
