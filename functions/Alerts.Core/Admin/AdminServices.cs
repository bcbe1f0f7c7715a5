using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Core.Admin;

public static class AdminServices
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<FeedAdminService>();
        services.AddSingleton<FeedStats>();
        services.AddSingleton<FeedActivity>();
        services.AddSingleton<FeedAdminEndpoints>();
        services.AddSingleton<QueueAdminEndpoints>();
        services.AddSingleton<AdminPages>();
        services.AddSingleton<AdminKey>();
        return services;
    }
}
