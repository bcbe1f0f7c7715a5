using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Alerts.Core.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="SmtpOptions"/> and <see cref="UnsubscribeMailboxOptions"/>, and registers the MailKit sender and the
    /// unsubscribe-mailbox reader (which needs <c>AddSubscriptions</c>).
    /// </summary>
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section));
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<UnsubscribeMailboxOptions>().Bind(configuration.GetSection(UnsubscribeMailboxOptions.Section));
        // The provider's sending limits across instances (digest-send waits for a token).
        services.AddOptions<SendRateOptions>().Bind(configuration.GetSection(SendRateOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<SendRateLimiter>();
        services.TryAddSingleton<IEmailSender, SmtpEmailSender>();
        services.TryAddSingleton<MailtoUnsubscribeHandler>();
        return services;
    }
}
