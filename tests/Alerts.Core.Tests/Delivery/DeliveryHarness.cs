using System.Globalization;
using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Delivery;

/// <summary>
/// The pipeline's services as the hosts register them (AddAlertsCore), on a fresh Azurite, a real SMTP server and a
/// fake clock, with a pump that plays the queue trigger: receive, handle, delete on success, leave on failure.
/// </summary>
internal sealed class DeliveryHarness : IAsyncDisposable
{
    public const string AdminEmail = "admin@alerts.example.org";

    private DeliveryHarness(ServiceProvider services, AlertsStorage storage, TestSmtpServer smtp, FakeTimeProvider time)
    {
        Services = services;
        Storage = storage;
        Smtp = smtp;
        Time = time;
    }

    public ServiceProvider Services { get; }
    public AlertsStorage Storage { get; }
    public TestSmtpServer Smtp { get; }
    public FakeTimeProvider Time { get; }

    /// <summary>Exceptions a handler threw (what would count towards the poison queue).</summary>
    public List<Exception> Failures { get; } = [];

    /// <param name="faults">When given, every storage call the services make passes it (see <see cref="StorageFaults"/>).</param>
    public static async Task<DeliveryHarness> StartAsync(
        AzuriteFixture fixture, DateTimeOffset now, IDictionary<string, string?>? settings = null, StorageFaults? faults = null)
    {
        var storage = await fixture.ResetAsync();
        return await StartAsync(fixture.ConnectionString, faults is null ? storage : WithFaults(fixture.ConnectionString, faults), now, settings);
    }

    /// <summary>On a storage account of the test's own (an Azurite it stops and starts), its tables and queues created.</summary>
    public static async Task<DeliveryHarness> StartOnAsync(
        string connectionString, DateTimeOffset now, StorageFaults faults, IDictionary<string, string?>? settings = null)
    {
        var storage = WithFaults(connectionString, faults);
        await storage.EnsureCreatedAsync();
        return await StartAsync(connectionString, storage, now, settings);
    }

    private static async Task<DeliveryHarness> StartAsync(
        string connectionString, AlertsStorage storage, DateTimeOffset now, IDictionary<string, string?>? settings)
    {
        var smtp = await TestSmtpServer.StartAsync();
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["Tokens:SigningKey"] = "delivery-test-signing-key-0123456789abcdef",
            ["Site:PublicBaseUrl"] = "https://alerts.example.org",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:FromAddress"] = "alerts@alerts.example.org",
            ["Smtp:Timeout"] = "00:00:05",
            ["Admin:AlertEmail"] = AdminEmail,
            ["Matching:IndexRefreshInterval"] = "00:00:00",
            // The fetch tests' feeds are served on loopback, which the address guard refuses unless allowed.
            ["Feeds:AllowLoopback"] = "true",
            ["Feeds:MinHostGap"] = "00:00:00",
            // Real retry delays short enough for a test; the fake clock carries the outage's length.
            ["Delivery:RetryInitialDelay"] = "00:00:00.050",
            ["Delivery:RetryMaxDelay"] = "00:00:00.400",
            ["Delivery:OutageAlertAfter"] = "00:05:00",
            // The tests run the poll's matching before its alerts themselves; the gather window has a test of its own.
            ["Delivery:InstantGatherFor"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var time = new FakeTimeProvider(now);
        var services = CoreTestServices.Build(storage, time, values);
        return new DeliveryHarness(services, storage, smtp, time);
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    private static AlertsStorage WithFaults(string connectionString, StorageFaults faults)
    {
        var tables = new Azure.Data.Tables.TableClientOptions();
        var queues = AlertsStorage.QueueOptions();
        var blobs = new Azure.Storage.Blobs.BlobClientOptions();
        tables.AddPolicy(faults, Azure.Core.HttpPipelinePosition.PerCall);
        queues.AddPolicy(faults, Azure.Core.HttpPipelinePosition.PerCall);
        blobs.AddPolicy(faults, Azure.Core.HttpPipelinePosition.PerCall);
        return new AlertsStorage(new Azure.Data.Tables.TableServiceClient(connectionString, tables),
            new QueueServiceClient(connectionString, queues), new Azure.Storage.Blobs.BlobServiceClient(connectionString, blobs));
    }

    public async Task<Subscription> SubscribeAsync(string email, string query, Frequency frequency, int digestHour = 8)
    {
        var s = new Subscription(SubscriptionStore.NewId(), email, query, frequency, SubscriptionStatus.Active,
            CreatedAt: Time.GetUtcNow().AddDays(-30), ConfirmedAt: Time.GetUtcNow().AddDays(-30), TimeZone: "UTC", DigestHour: digestHour);
        await Get<SubscriptionStore>().AddAsync(s);
        return s;
    }

    /// <summary>Stores the article (first seen now) and queues its article-match message, as the fetcher does.</summary>
    public async Task<Article> PublishAsync(string itemKey, string title, string summary = "", string content = "")
    {
        var now = Time.GetUtcNow();
        var article = new Article("feed0001", itemKey, title, "https://news.example.com/" + itemKey, summary, content, now, now, "Example News", "news.example.com");
        await Get<ArticleStore>().TryAddAsync(article);
        await Storage.Queue(QueueNames.ArticleMatch).SendAsync(new ArticleMatchMessage(article.Id));
        return article;
    }

    /// <summary>One pass over both queues: every visible message handled once. Returns how many were handled.</summary>
    public async Task<int> PumpOnceAsync()
    {
        var handled = 0;
        handled += await PumpAsync(Storage.Queue(QueueNames.ArticleMatch),
            body => Get<ArticleMatchHandler>().HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(body)));
        handled += await PumpAsync(Storage.Queue(QueueNames.DigestSend),
            body => Get<DigestSendHandler>().HandleAsync(QueueMessages.Deserialize<DigestSendMessage>(body)));
        return handled;
    }

    /// <summary>Pumps until both queues stay empty (messages hidden for a retry included) or the timeout passes.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await PumpOnceAsync() > 0)
                continue;
            if (await TotalMessagesAsync() == 0)
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Queues not drained within {timeout}; {await TotalMessagesAsync()} messages left.");
    }

    public async Task<int> TotalMessagesAsync()
    {
        var total = 0;
        foreach (var name in new[] { QueueNames.ArticleMatch, QueueNames.DigestSend })
            total += (await Storage.Queue(name).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        return total;
    }

    private async Task<int> PumpAsync(QueueClient queue, Func<string, Task> handle)
    {
        var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (message, _) =>
        {
            try
            {
                await handle(message.Body.ToString());
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
            catch (Exception ex)
            {
                lock (Failures) Failures.Add(ex);
                // Visible again soon, as the trigger's retry would make it.
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.FromMilliseconds(200));
            }
        });
        return batch.Length;
    }

    /// <summary>Emails the SMTP server accepted, by recipient and subject, for counting duplicates.</summary>
    public IReadOnlyList<(string To, string Subject, string Html)> Emails() =>
        Smtp.Messages.Select(m => (m.To.Mailboxes.First().Address, m.Subject ?? "", m.HtmlBody ?? m.TextBody ?? "")).ToList();

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
