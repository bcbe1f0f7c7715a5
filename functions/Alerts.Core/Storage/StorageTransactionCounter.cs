using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Alerts.Core.Storage;

/// <summary>
/// Counts the storage transactions (HTTP requests, retries included, as Azure bills them) that go through the SDK
/// clients it is added to, by service: table, queue or blob. Used by benchmarks to price the pipeline.
/// </summary>
public sealed class StorageTransactionCounter : HttpPipelinePolicy
{
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public long Total => _counts.Values.Sum();

    public long this[string service] => _counts.GetValueOrDefault(service);

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts);

    public void Reset() => _counts.Clear();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Count(HttpMessage message) => _counts.AddOrUpdate(Service(message.Request.Uri.ToUri()), 1, (_, n) => n + 1);

    /// <summary>Azure hosts name the service (account.table.core...); Azurite tells it by port order or path.</summary>
    private static string Service(Uri uri)
    {
        var host = uri.Host;
        if (host.Contains(".table.", StringComparison.Ordinal)) return "table";
        if (host.Contains(".queue.", StringComparison.Ordinal)) return "queue";
        if (host.Contains(".blob.", StringComparison.Ordinal)) return "blob";
        return ServiceByPort.TryGetValue(uri.Port, out var service) ? service : "other";
    }

    /// <summary>Ports of the emulator's services, registered when the clients are created from a connection string.</summary>
    internal static readonly ConcurrentDictionary<int, string> ServiceByPort = new();
}
