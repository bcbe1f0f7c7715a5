using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Alerts.Core.Digests;

public static class DigestServices
{
    /// <summary>
    /// The digest scheduler, composer and send handler. Needs <c>AlertsStorage</c>, <c>AddEmail</c> and the token
    /// options registered by the host; the stores it uses are added here only if nobody added them yet.
    /// </summary>
    public static IServiceCollection AddDigests(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SubscriptionStore>();
        services.TryAddSingleton<MatchStore>();
        services.TryAddSingleton<ArticleStore>();
        services.TryAddSingleton<SubscriptionTokens>();
        services.TryAddSingleton<SubscriptionLinks>();
        services.TryAddSingleton<DigestStore>();
        services.TryAddSingleton<DigestComposer>();
        services.TryAddSingleton<DigestScheduler>();
        services.TryAddSingleton<DeliveryStore>();
        services.TryAddSingleton<SendingHealth>();
        services.TryAddSingleton<DigestSendHandler>();
        services.TryAddSingleton<DeliverySweep>();
        return services;
    }
}
