using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Alerts.Core.Health;
using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Delivery;

/// <summary>/healthz against real Azurite and SMTP, and against ports where nothing answers.</summary>
[Collection(StorageCollection.Name)]
public sealed class HealthTests(AzuriteFixture fixture)
{
    /// <summary>GET /healthz on the graph's endpoint, its result written with the graph as the request's services.</summary>
    private static async Task<(int Status, JsonElement Body, TimeSpan Took)> GetAsync(IServiceProvider services)
    {
        var endpoint = services.GetRequiredService<HealthEndpoint>();
        var context = new DefaultHttpContext { RequestServices = services };
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
        await using var services = CoreTestServices.Build(storage, TimeProvider.System, smtp.Settings());
        var (status, body, _) = await GetAsync(services);
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
        await using var services = CoreTestServices.Build(storage, TimeProvider.System, new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = deadSmtp.ToString(CultureInfo.InvariantCulture),
        });

        var (status, body, took) = await GetAsync(services);

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
        await using var services = CoreTestServices.Build(storage, later, smtp.Settings());

        var (status, body, _) = await GetAsync(services);

        Assert.Equal(503, status);
        Assert.Contains(body.GetProperty("failing").EnumerateArray(), f => f.GetString()!.Contains("feed-fetch", StringComparison.Ordinal));
    }
}
