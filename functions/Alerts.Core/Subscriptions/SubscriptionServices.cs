using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Core.Subscriptions;

public static class SubscriptionServices
{
    public static IServiceCollection AddSubscriptions(this IServiceCollection services)
    {
        services.AddOptions<SubscribeLimitOptions>().BindConfiguration(SubscribeLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TokenOptions>()
            .BindConfiguration(TokenOptions.Section)
            .ValidateDataAnnotations()
            .Validate<IConfiguration>(SampleKeys.NotUsedOutsideLocalRuns, SampleKeys.Refusal)
            .ValidateOnStart();
        services.AddSingleton<SubscriptionStore>();
        services.AddSingleton<SubscriptionTokens>();
        services.AddSingleton<SubscriptionLinks>();
        services.AddSingleton<SubscribeRateLimiter>();
        services.AddSingleton<SubscribeHandler>();
        services.AddSingleton<ManageLinkSender>();
        services.AddSingleton<QueryPreview>();
        services.AddSingleton<ArticleExplainer>();
        services.AddSingleton<SubscriptionEndpoints>();
        services.AddSingleton<ManageHandler>();
        services.AddSingleton<ManageEndpoints>();
        services.AddSingleton<OpenApiEndpoint>();
        return services;
    }
}
