using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Alerts.Core.Feeds;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

/// <summary>
/// Every bad input is a 4xx with problem+json and stores nothing: the probes of the abuse review, then every HTTP
/// route with random bodies, sizes, content types and encodings.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class BadInputFuzzTests(AzuriteFixture azurite)
{
    private static readonly string[] ContentTypes =
    [
        "", "text/plain", "application/json", "application/xml", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz", "multipart/form-data", "application/json; charset=utf-16", "image/png",
    ];

    public static TheoryData<string, string, string, string, int> Probes => new()
    {
        { "POST", "/api/admin/feeds", "application/json", "{\"url\":\"https://x.test/" + new string('a', 100_000) + "\"}", 0 },
        { "POST", "/api/admin/feeds", "application/json", "{\"url\":\"https://x.test/" + new string('a', 20_000) + "\"}", 400 },
        { "PATCH", "/api/admin/feeds/0123456789abcdef0123456789abcdef", "application/json", "{\"title\":\"" + new string('t', 10_000_000) + "\"}", 413 },
        { "POST", "/confirm", "application/x-www-form-urlencoded", "token=%ff%00%ff%00%c3%28" + string.Concat(Enumerable.Repeat("%ff%00", 200)), 400 },
        { "POST", "/subscribe", "application/x-www-form-urlencoded", "email=a%40b.test&query=" + new string('q', 10_000_000), 413 },
        { "POST", "/subscribe", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nbroken", 400 },
        { "POST", "/api/subscriptions", "text/plain", "{\"email\":\"jane@example.test\",\"query\":\"DACA\",\"frequency\":\"daily\"}", 415 },
        { "POST", "/api/subscriptions", "", "{\"email\":\"jane@example.test\",\"query\":\"DACA\",\"frequency\":\"daily\"}", 415 },
        { "POST", "/api/subscriptions", "application/xml", "{\"email\":\"jane@example.test\",\"query\":\"DACA\",\"frequency\":\"daily\"}", 415 },
        { "POST", "/api/subscriptions", "application/json", "{\"email\":\"jane@example.test\",\"query\":\"DACA\",\"frequency\":\"daily\",\"label\":\"" + new string('l', 100_000) + "\"}", 413 },
    };

    /// <summary>status 0: any 4xx.</summary>
    [Theory]
    [MemberData(nameof(Probes))]
    public async Task The_probes_of_the_review_get_a_4xx_problem_and_store_nothing(string method, string path, string contentType, string body, int status)
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);

        var response = await SendAsync(host, method, path, contentType, Encoding.UTF8.GetBytes(body), admin: true);

        if (status == 0) Assert.InRange((int)response.StatusCode, 400, 499);
        else Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertNothingStoredAsync(host);
    }

    [Fact]
    public async Task Random_requests_to_every_route_never_get_a_500_and_never_store_a_row()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var random = new Random(20261201);
        var routes = DeclaredFunctions.All.Where(f => f.Trigger == TriggerKind.Http).ToList();
        var failures = new List<string>();

        foreach (var function in routes)
            foreach (var method in function.Methods!.Select(m => m.ToUpperInvariant()).Append("PUT"))
                for (var i = 0; i < 12; i++)
                {
                    var path = "/" + function.Route!
                        .Replace("{id}", i % 2 == 0 ? "0123456789abcdef0123456789abcdef" : RandomText(random, 40), StringComparison.Ordinal)
                        .Replace("{verb}", new[] { "pause", "edit", "delete", "x" }[i % 4], StringComparison.Ordinal)
                        .Replace("{queue}", new[] { "feed-fetch", "nope", "digest-send" }[i % 3], StringComparison.Ordinal)
                        .Replace("{name}", new[] { "subscribe.js", "..%2f..%2fetc%2fpasswd", "x" }[i % 3], StringComparison.Ordinal);
                    var query = RandomQuery(random);
                    var contentType = ContentTypes[random.Next(ContentTypes.Length)];
                    var body = RandomBody(random, contentType);
                    using var response = await SendAsync(host, method, path + query, contentType, body, admin: random.Next(2) == 0);
                    if ((int)response.StatusCode >= 500)
                        failures.Add($"{method} {path}{query} [{contentType}, {body.Length} bytes] → {(int)response.StatusCode}");
                }

        Assert.Empty(failures);
        await AssertNothingStoredAsync(host);
    }

    private static async Task<HttpResponseMessage> SendAsync(LocalHostHarness host, string method, string path, string contentType, byte[] body, bool admin)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is not ("GET" or "HEAD"))
        {
            request.Content = new ByteArrayContent(body);
            // A client sending megabytes asks first (as curl does), so the early 413 arrives instead of a reset.
            if (body.Length > 1_000_000)
                request.Headers.ExpectContinue = true;
            if (contentType.Length > 0)
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (admin)
            request.Headers.Add("x-functions-key", LocalHostHarness.AdminKey);
        return await host.Http.SendAsync(request);
    }

    private static async Task AssertNothingStoredAsync(LocalHostHarness host)
    {
        await foreach (var s in host.Service<SubscriptionStore>().ListAsync())
            Assert.Fail($"a subscription was stored: {s.Id}");
        await foreach (var f in host.Service<FeedStore>().ListAsync())
            Assert.Fail($"a feed was stored: {f.Url}");
        Assert.Empty(host.Smtp.Messages);
    }

    private static string RandomQuery(Random random) => random.Next(4) switch
    {
        0 => "",
        1 => "?token=" + Uri.EscapeDataString(RandomText(random, random.Next(1, 600))),
        2 => "?q=" + Uri.EscapeDataString(RandomText(random, random.Next(1, 700))) + "&sites=" + Uri.EscapeDataString(RandomText(random, 30)),
        _ => "?code=" + LocalHostHarness.AdminKey + "&days=" + random.Next(-5, 99999) + "&status=" + RandomText(random, 5),
    };

    private static byte[] RandomBody(Random random, string contentType)
    {
        switch (random.Next(6))
        {
            case 0:
                var bytes = new byte[random.Next(0, 3000)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                return Encoding.UTF8.GetBytes(new string('x', random.Next(70_000, 300_000)));
            case 2:
                return Encoding.UTF8.GetBytes("token=%ff%00" + RandomText(random, 50) + "&email=" + RandomText(random, 30) + "&query=" + RandomText(random, 80) + "&action=" + new[] { "preview", "subscribe", "delete-request", "update" }[random.Next(4)]);
            case 3:
                return Encoding.UTF8.GetBytes("{\"url\":\"" + RandomText(random, 50) + "\",\"title\":" + random.Next() + ",\"email\":[1,2],\"query\":{\"a\":null},\"frequency\":\"daily\"}");
            case 4:
                return Encoding.UTF8.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"" + RandomText(random, 10) + "\"\r\n\r\n" + RandomText(random, 100));
            default:
                return Encoding.Unicode.GetBytes("{\"email\":\"x@y.test\",\"query\":\"\uFFFF\uD800\",\"frequency\":\"daily\"}");
        }
    }

    private static string RandomText(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
            chars[i] = random.Next(5) == 0 ? (char)random.Next(0, 0xFFFF) : (char)random.Next(32, 127);
        return new string(chars);
    }
}
