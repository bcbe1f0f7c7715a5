using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Alerts.Core.Email;

public static class EmailServices
{
    /// <summary>
    /// Binds <see cref="SmtpOptions"/>, <see cref="DeliveryOptions"/> and <see cref="UnsubscribeMailboxOptions"/>, and
    /// registers the MailKit sender and the unsubscribe-mailbox reader (which needs <c>AddSubscriptions</c>).
    /// </summary>
    public static IServiceCollection AddEmail(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<UnsubscribeMailboxOptions>().BindConfiguration(UnsubscribeMailboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // The provider's sending limits across instances (digest-send waits for a token).
        services.AddOptions<SendRateOptions>().BindConfiguration(SendRateOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<SendRateLimiter>();
        services.TryAddSingleton<EmailWriter>();
        services.TryAddSingleton<IEmailSender, SmtpEmailSender>();
        services.TryAddSingleton<MailtoUnsubscribeHandler>();
        return services;
    }
}
