using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Alerts.Core.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>Binds <see cref="SmtpOptions"/> from the "Smtp" section and registers the MailKit sender.</summary>
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section));
        services.TryAddSingleton<IEmailSender, SmtpEmailSender>();
        return services;
    }
}
