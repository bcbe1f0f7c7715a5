using Alerts.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Core.Tests.Infrastructure;

/// <summary>
/// Core instances started by one test, as separate processes on one storage account would be: each its own
/// <see cref="CoreTestServices"/> graph (its own singletons, caches and leases), disposed together with the test.
/// </summary>
public sealed class CoreInstances : IDisposable
{
    private readonly List<ServiceProvider> _started = [];

    public ServiceProvider Start(AlertsStorage storage, TimeProvider time, IEnumerable<KeyValuePair<string, string?>>? settings = null,
        Action<IServiceCollection>? replace = null)
    {
        var instance = CoreTestServices.Build(storage, time, settings, replace);
        _started.Add(instance);
        return instance;
    }

    public void Dispose()
    {
        foreach (var instance in _started)
            instance.Dispose();
        _started.Clear();
    }
}
