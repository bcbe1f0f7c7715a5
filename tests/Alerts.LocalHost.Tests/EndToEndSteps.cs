using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Alerts.Core.Subscriptions;
using MimeKit;

namespace Alerts.LocalHost.Tests;

/// <summary>
/// The steps end-to-end tests take through a running local host (<see cref="LocalHostHarness"/>), as a subscriber or
/// an admin would, written once: subscribe and confirm from the email, wait for an email, call the admin API.
/// </summary>
public static partial class EndToEndSteps
{
    /// <summary>The subscriber a step acts for unless told otherwise.</summary>
    public const string Jane = "jane@example.test";

    private static readonly TimeSpan EmailWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Subscribes through the API and confirms from the link in the confirmation email (its POST), as a subscriber
    /// does; returns the active subscription. The SMTP server's inbox is cleared afterwards.
    /// </summary>
    public static async Task<Subscription> SubscribeAndConfirmAsync(this LocalHostHarness host, string query, Frequency frequency, string email = Jane)
    {
        var response = await host.Http.PostAsJsonAsync("/api/subscriptions", new { email, query, frequency = frequency.ToString().ToLowerInvariant() });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var confirmation = await host.EmailToAsync(email);
        var confirmed = await host.ConfirmAsync(TokenOf(ConfirmLink(confirmation)));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        host.Smtp.Clear();
        return Assert.Single(await host.Service<SubscriptionStore>().ListByEmailAsync(email), s => s.Query == query);
    }

    /// <summary>The confirm button's POST, as the page behind a confirmation link sends it.</summary>
    public static Task<HttpResponseMessage> ConfirmAsync(this LocalHostHarness host, string token) =>
        host.Http.PostAsync("/confirm", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));

    /// <summary>Waits for the first email to <paramref name="address"/> (ten seconds unless told otherwise).</summary>
    public static Task<MimeMessage> EmailToAsync(this LocalHostHarness host, string address, TimeSpan? timeout = null) =>
        host.Smtp.WaitForMessageAsync(m => m.To.Mailboxes.Any(a => a.Address == address), timeout ?? EmailWait);

    /// <summary>The first link in the email's text part that contains <paramref name="contains"/>.</summary>
    public static string FirstLink(MimeMessage message, string contains) =>
        LinkPattern().Matches(message.TextBody ?? "").Select(m => m.Value).First(l => l.Contains(contains, StringComparison.Ordinal));

    /// <summary>The confirmation link of a confirmation email.</summary>
    public static string ConfirmLink(MimeMessage message) => FirstLink(message, "/confirm?token=");

    /// <summary>The token a link carries, unescaped.</summary>
    public static string TokenOf(string link) => Uri.UnescapeDataString(new Uri(link).Query.Split("token=")[1]);

    /// <summary>A call to the admin API with the admin key, a JSON body when given.</summary>
    public static async Task<HttpResponseMessage> AdminAsync(this LocalHostHarness host, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        request.Headers.Add("x-functions-key", LocalHostHarness.AdminKey);
        return await host.Http.SendAsync(request);
    }

    /// <summary>Adds a feed through the admin API.</summary>
    public static Task<HttpResponseMessage> AddFeedAsync(this LocalHostHarness host, string url) =>
        host.AdminAsync(HttpMethod.Post, "/api/admin/feeds", new { url });

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex LinkPattern();
}
