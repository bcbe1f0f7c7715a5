using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Feeds;

/// <summary>The feed services as the hosts wire them (<see cref="CoreTestServices"/>), on Azurite and a fake clock.</summary>
internal sealed class FeedTestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;
    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly CoreInstances _otherInstances = new();

    private FeedTestHost(ServiceProvider services, string connectionString, IReadOnlyDictionary<string, string?> settings, FakeTimeProvider time)
    {
        _services = services;
        _connectionString = connectionString;
        _settings = settings;
        Time = time;
    }

    public const string AdminEmail = "feeds-admin@alerts.test";

    public FakeTimeProvider Time { get; }
    public RecordingEmailSender Emails { get; private init; } = null!;
    public T Service<T>() where T : notnull => _services.GetRequiredService<T>();
    public FeedStore Feeds => _services.GetRequiredService<FeedStore>();
    public ArticleStore Articles => _services.GetRequiredService<ArticleStore>();
    public FeedFetchHandler Fetch => _services.GetRequiredService<FeedFetchHandler>();
    public FeedPollHandler Poll => _services.GetRequiredService<FeedPollHandler>();
    public FeedFetchOptions Options => _services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FeedFetchOptions>>().Value;

    public static async Task<FeedTestHost> CreateAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings = null)
    {
        var storage = await azurite.ResetAsync();
        var values = new Dictionary<string, string?>
        {
            // Short, so the timeout test is quick; everything else answers in milliseconds.
            ["Feeds:Timeout"] = "00:00:02",
            // The test feed server is on loopback; the SSRF guard refuses that unless allowed.
            ["Feeds:AllowLoopback"] = "true",
            // Politeness is tested on its own; elsewhere it would only slow the tests down.
            ["Feeds:MinHostGap"] = "00:00:00",
            ["Admin:AlertEmail"] = AdminEmail,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var time = new FakeTimeProvider(Start);
        var emails = new RecordingEmailSender();
        var services = CoreTestServices.Build(storage, time, values, s => s
            .AddSingleton<IEmailSender>(emails)
            .AddSingleton(Microsoft.Extensions.Options.Options.Create(new SmtpOptions { FromAddress = "alerts@alerts.test" })));
        return new FeedTestHost(services, azurite.ConnectionString, values, time) { Emails = emails };
    }

    /// <summary>Another worker process on this host's storage account: its own storage clients and services, the same settings.</summary>
    public T OtherInstance<T>() where T : notnull =>
        _otherInstances.Start(AlertsStorage.FromConnectionString(_connectionString), Time, _settings).GetRequiredService<T>();

    /// <summary>Adds a feed for <paramref name="url"/>, due now.</summary>
    public async Task<Feed> AddFeedAsync(string url)
    {
        var feed = Feed.Create(url, Time.GetUtcNow(), Options.DefaultPollInterval);
        Assert.True(await Feeds.TryAddAsync(feed));
        return feed;
    }

    public async Task<Feed> GetFeedAsync(string id) => await Feeds.GetAsync(id) ?? throw new InvalidOperationException($"Feed {id} is missing.");

    public Task FetchAsync(Feed feed) => Fetch.HandleAsync(new FeedFetchMessage(feed.Id), CancellationToken.None);

    public async Task<List<Article>> ArticlesAsync(Feed feed)
    {
        var list = new List<Article>();
        await foreach (var article in Articles.ListByFeedAsync(feed.Id))
            list.Add(article);
        return list;
    }

    public Task<List<ArticleMatchMessage>> MatchMessagesAsync() => PeekAsync<ArticleMatchMessage>(QueueNames.ArticleMatch);

    public Task<List<FeedFetchMessage>> FetchMessagesAsync() => PeekAsync<FeedFetchMessage>(QueueNames.FeedFetch);

    /// <summary>
    /// Every message on the queue, read with a plain client and decoded by hand: proves the wire format is the
    /// Base64 JSON the Functions queue trigger expects. Peek leaves the messages in place (max 32 per peek).
    /// </summary>
    private async Task<List<T>> PeekAsync<T>(string queueName)
    {
        var raw = new QueueClient(_connectionString, queueName);
        var peeked = await raw.PeekMessagesAsync(maxMessages: 32);
        return peeked.Value
            .Select(m => QueueMessages.Deserialize<T>(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString()))))
            .ToList();
    }

    public Task ClearMatchQueueAsync() => new QueueClient(_connectionString, QueueNames.ArticleMatch).ClearMessagesAsync();

    public async ValueTask DisposeAsync()
    {
        _otherInstances.Dispose();
        await _services.DisposeAsync();
    }
}

/// <summary>Keeps every message instead of sending it.</summary>
internal sealed class RecordingEmailSender : IEmailSender
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<MimeKit.MimeMessage> _sent = new();

    public IReadOnlyList<MimeKit.MimeMessage> Sent => _sent.ToArray();

    public Task SendAsync(MimeKit.MimeMessage message, CancellationToken cancellationToken = default)
    {
        _sent.Enqueue(message);
        return Task.CompletedTask;
    }
}
