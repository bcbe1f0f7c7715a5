using Alerts.Core.Admin;
using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Health;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Alerts.Core;

/// <summary>
/// How Alerts is composed: each feature folder has one <c>{Feature}Services.Add{Feature}()</c> that binds and
/// validates its own options (<c>AddOptions&lt;T&gt;().BindConfiguration(T.Section).ValidateDataAnnotations()
/// .ValidateOnStart()</c>, once per options class) and registers its services.
/// </summary>
public static class AlertsServices
{
    /// <summary>Everything the handlers need; the Functions worker, the local host and tests all call this.</summary>
    public static IServiceCollection AddAlertsCore(this IServiceCollection services, IConfiguration configuration)
    {
        // Options bind from the IConfiguration in DI; every host registers its own, a bare ServiceCollection gets this one.
        services.TryAddSingleton(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => AlertsStorage.FromConfiguration(configuration));

        services.AddWeb();
        services.AddFeeds();
        services.AddEmail();
        services.AddDigests();
        services.AddSubscriptions();
        services.AddMatching();
        services.AddAdmin();
        services.AddHealth();
        return services;
    }
}
