using Alerts.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Core.Tests.Infrastructure;

/// <summary>
/// The one way a Core test composes services: what every host registers (<c>AddAlertsCore</c>, options bound from
/// the settings given), on the test's storage and clock, then the test's own replacements (a recording sender...).
/// A test that needs a different setting passes it here (as a host's configuration would) rather than building the
/// object by hand; a test of several instances builds one graph per instance (<see cref="CoreInstances"/>).
/// </summary>
public static class CoreTestServices
{
    public static ServiceProvider Build(AlertsStorage storage, TimeProvider time, IEnumerable<KeyValuePair<string, string?>>? settings = null,
        Action<IServiceCollection>? replace = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(time)
            .AddSingleton(storage)
            .AddSingleton<IConfiguration>(configuration) // as every host registers it (options bind from it)
            .AddAlertsCore(configuration);
        replace?.Invoke(services);
        return services.BuildServiceProvider(validateScopes: true);
    }
}
