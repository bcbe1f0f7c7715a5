using Alerts.Core.Admin;
using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Alerts.Core;

public static class AlertsServices
{
    /// <summary>Everything the handlers need; the Functions worker, the local host and tests all call this.</summary>
    public static IServiceCollection AddAlertsCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => AlertsStorage.FromConfiguration(configuration));
        services.TryAddSingleton<ComponentRenderer>();

        services.Configure<SiteOptions>(configuration.GetSection(SiteOptions.Section));
        services.Configure<TokenOptions>(configuration.GetSection(TokenOptions.Section));
        services.Configure<MatchingOptions>(configuration.GetSection(MatchingOptions.Section));
        services.Configure<AdminOptions>(configuration.GetSection(AdminOptions.Section));

        services.AddFeedFetching(configuration);
        services.AddEmail(configuration);
        services.AddDigests();

        services.AddSubscriptions();
        services.AddMatching();
        services.AddAdmin();

        services.AddOptions<Health.HealthOptions>().Bind(configuration.GetSection(Health.HealthOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<Health.HealthEndpoint>();
        return services;
    }
}
