using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Alerts.Core.Web;

public static class WebServices
{
    /// <summary>The site's options (name, public address) and the Razor component renderer every page and email uses.</summary>
    public static IServiceCollection AddWeb(this IServiceCollection services)
    {
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ComponentRenderer>();
        return services;
    }
}
