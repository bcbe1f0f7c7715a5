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
        services.TryAddSingleton<IEmailSender, SmtpEmailSender>();
        services.TryAddSingleton<EmailWriter>();
        services.TryAddSingleton<MailtoUnsubscribeHandler>();
        return services;
    }
}
