using Azure;

namespace Alerts.Core.Storage;

/// <summary>Which exceptions mean "storage did not answer this time" (worth waiting for) rather than a bug.</summary>
public static class StorageFailure
{
    /// <summary>
    /// A storage reply (<see cref="RequestFailedException"/>), a connection that failed, or what the Azure SDK throws
    /// when its own retries ran out against a storage that is down: an <see cref="AggregateException"/> of those
    /// ("Retry failed after 6 tries ... Connection refused").
    /// </summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        RequestFailedException or HttpRequestException or IOException => true,
        AggregateException { InnerExceptions.Count: > 0 } all => all.InnerExceptions.All(IsTransient),
        _ => false,
    };
}
