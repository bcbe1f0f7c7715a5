using Alerts.Core.Subscriptions;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Core.Matching;

public static class MatchingServices
{
    public static IServiceCollection AddMatching(this IServiceCollection services)
    {
        services.AddOptions<MatchingOptions>().BindConfiguration(MatchingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MatchStore>();
        services.AddSingleton<SubscriptionChangeLog>();
        services.AddSingleton<SubscriptionSnapshotStore>();
        services.AddSingleton<SubscriptionSnapshotWriter>();
        services.AddSingleton<SubscriptionIndexProvider>();
        services.AddSingleton<ArticleMatchHandler>();
        return services;
    }
}
