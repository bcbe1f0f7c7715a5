using System.Diagnostics;
using System.Text.Json;
using Alerts.Core.Email;
using Alerts.Core.Health;
using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Delivery;

/// <summary>/healthz against real Azurite and SMTP, and against ports where nothing answers.</summary>
[Collection(StorageCollection.Name)]
public sealed class HealthTests(AzuriteFixture fixture)
{
    private static async Task<(int Status, JsonElement Body, TimeSpan Took)> GetAsync(HealthEndpoint endpoint)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        var watch = Stopwatch.StartNew();
        var result = await endpoint.GetAsync(context.Request);
        var took = watch.Elapsed;
        await result.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, JsonDocument.Parse(context.Response.Body).RootElement.Clone(), took);
    }

    [Fact]
    public async Task Healthy_when_storage_and_smtp_answer_and_no_queue_is_stalled()
    {
        var storage = await fixture.ResetAsync();
        await using var smtp = await TestSmtpServer.StartAsync();
        var (status, body, _) = await GetAsync(new HealthEndpoint(storage, Options.Create(smtp.Options()), Options.Create(new HealthOptions()), TimeProvider.System));
        Assert.Equal(200, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal(0, body.GetProperty("queues").GetProperty("digest-send-poison").GetInt32());
    }

    [Fact]
    public async Task Unreachable_storage_and_smtp_answer_503_naming_both_within_two_seconds()
    {
        int deadStorage = FreePort.Next(), deadSmtp = FreePort.Next();
        const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        var storage = AlertsStorage.FromConnectionString(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint=http://127.0.0.1:{deadStorage}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{deadStorage}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{deadStorage}/devstoreaccount1;");
        var smtp = new SmtpOptions { Host = "127.0.0.1", Port = deadSmtp };

        var (status, body, took) = await GetAsync(new HealthEndpoint(storage, Options.Create(smtp), Options.Create(new HealthOptions()), TimeProvider.System));

        Assert.Equal(503, status);
        var failing = body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(failing, f => f.StartsWith("storage:", StringComparison.Ordinal));
        Assert.Contains(failing, f => f.StartsWith("smtp:", StringComparison.Ordinal));
        Assert.True(took < TimeSpan.FromSeconds(2), $"took {took}");
    }

    [Fact]
    public async Task A_queue_whose_oldest_message_is_older_than_the_threshold_is_unhealthy()
    {
        var storage = await fixture.ResetAsync();
        await using var smtp = await TestSmtpServer.StartAsync();
        await storage.Queue(QueueNames.FeedFetch).SendMessageAsync("{}");
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));

        var (status, body, _) = await GetAsync(new HealthEndpoint(storage, Options.Create(smtp.Options()), Options.Create(new HealthOptions()), later));

        Assert.Equal(503, status);
        Assert.Contains(body.GetProperty("failing").EnumerateArray(), f => f.GetString()!.Contains("feed-fetch", StringComparison.Ordinal));
    }
}
