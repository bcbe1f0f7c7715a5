using System.Net;
using Alerts.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Feeds;

public static class FeedServices
{
    /// <summary>
    /// Feed polling: options from the "Feeds" section, the "feeds" HTTP client, fetcher, parser, stores and both
    /// handlers. Registers <see cref="AlertsStorage"/> (from AzureWebJobsStorage) and <see cref="TimeProvider.System"/>
    /// only if the host has not registered its own. Feed health emails read <c>AdminOptions</c> (see AddAdmin).
    /// </summary>
    public static IServiceCollection AddFeeds(this IServiceCollection services)
    {
        services.AddOptions<FeedFetchOptions>()
            .BindConfiguration(FeedFetchOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.MaxResponseBytes > 0 && o.MaxRedirects >= 0 && o.MaxItemsPerFetch > 0,
                "Feeds: MaxResponseBytes and MaxItemsPerFetch must be positive, MaxRedirects not negative.")
            .Validate(o => o.MaxPageBytes > 0, "Feeds:MaxPageBytes must be positive.")
            // TimeSpan binding reads a bare "20" as 20 days; refuse that rather than hang workers on a dead server.
            .Validate(o => o.Timeout > TimeSpan.Zero && o.Timeout <= TimeSpan.FromMinutes(5),
                "Feeds:Timeout must be between 0 and 5 minutes, written as hh:mm:ss (e.g. 00:00:20).")
            .Validate(o => o.ParseTimeBudget >= TimeSpan.FromMilliseconds(50) && o.ParseTimeBudget <= TimeSpan.FromMinutes(1),
                "Feeds:ParseTimeBudget must be between 50 ms and 1 minute, written as hh:mm:ss (e.g. 00:00:05).")
            .Validate(o => o.DefaultPollInterval >= TimeSpan.FromMinutes(1) && o.FetchLease > TimeSpan.Zero && o.MaxBackoff >= o.DefaultPollInterval,
                "Feeds: DefaultPollInterval must be at least a minute, FetchLease positive, MaxBackoff not below DefaultPollInterval.")
            .Validate(o => o.MinPollInterval >= TimeSpan.FromMinutes(1) && o.MaxPollInterval >= o.MinPollInterval,
                "Feeds: MinPollInterval must be at least a minute and MaxPollInterval not below it.")
            .Validate(o => o.MaxConcurrentPerHost >= 1 && o.MinHostGap >= TimeSpan.Zero && o.MinHostGap <= TimeSpan.FromMinutes(1)
                    && o.FeedsPerMessage is >= 1 and <= 100 && o.DeletedFeedRetention >= TimeSpan.Zero,
                "Feeds: MaxConcurrentPerHost at least 1, MinHostGap 0 to 1 minute, FeedsPerMessage 1 to 100, DeletedFeedRetention not negative.")
            .ValidateOnStart();

        services.AddHttpClient(FeedFetcher.HttpClientName, client =>
            {
                // FeedFetcher applies its own deadline to headers and body together.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var settings = provider.GetRequiredService<IOptions<FeedFetchOptions>>().Value;
                return new SocketsHttpHandler
                {
                    AutomaticDecompression = DecompressionMethods.All,
                    // FeedFetcher follows redirects itself: it must know whether each hop was permanent (301/308).
                    AllowAutoRedirect = false,
                    // The SSRF guard sits in the connect step, so it sees every address, including after redirects.
                    ConnectCallback = FeedAddressGuard.ConnectCallback(() => settings),
                    UseProxy = false,
                    MaxConnectionsPerServer = Math.Max(1, settings.MaxConcurrentPerHost),
                    ConnectTimeout = settings.Timeout,
                    // Feeds are polled every few minutes; keep connections fresh so DNS changes are picked up.
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    UseCookies = false,
                };
            });

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(s => AlertsStorage.FromConfiguration(s.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton<FeedParser>();
        services.TryAddSingleton<FeedStore>();
        services.TryAddSingleton<ArticleStore>();
        services.TryAddSingleton<SharedHostSlots>();
        services.TryAddSingleton<HostThrottle>();
        services.TryAddSingleton<FeedFetcher>();
        services.TryAddSingleton<ArticleFullText>();
        services.TryAddSingleton<FeedHealthAlerts>();
        services.TryAddSingleton<FeedFetchHandler>();
        services.TryAddSingleton<FeedPollHandler>();
        return services;
    }
}
