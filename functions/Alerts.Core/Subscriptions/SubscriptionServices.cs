using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Core.Subscriptions;

public static class SubscriptionServices
{
    public static IServiceCollection AddSubscriptions(this IServiceCollection services)
    {
        services.AddSingleton<SubscriptionStore>();
        services.AddSingleton<SubscriptionTokens>();
        services.AddSingleton<SubscriptionLinks>();
        services.AddSingleton<SubscribeHandler>();
        services.AddSingleton<SubscriptionEndpoints>();
        return services;
    }
}
