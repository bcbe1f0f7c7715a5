using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Alerts.Core.Storage;

/// <summary>
/// One JSON shape for queue messages, shared by producers, the Functions triggers and the local host. A message sent
/// inside a traced operation carries its W3C <c>traceparent</c>, so that timer, fetch, match and digest form one trace.
/// </summary>
public static class QueueMessages
{
    private const string TraceParentProperty = "traceparent";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize<T>(T message)
    {
        var node = JsonSerializer.SerializeToNode(message, Json)!.AsObject();
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
            node[TraceParentProperty] = current.Id;
        return node.ToJsonString(Json);
    }

    /// <summary>Reads a message; unknown properties (such as the trace parent) are ignored.</summary>
    public static T Deserialize<T>(string body) =>
        JsonSerializer.Deserialize<T>(body, Json) ?? throw new JsonException($"Empty {typeof(T).Name} message.");

    public static Task SendAsync<T>(this Azure.Storage.Queues.QueueClient queue, T message, CancellationToken cancellationToken = default) =>
        queue.SendMessageAsync(Serialize(message), cancellationToken);

    /// <summary>
    /// Sends a message that no consumer sees for <paramref name="hiddenFor"/> (zero: at once). With
    /// <paramref name="neverExpires"/> it stays until taken, not the queue's default seven days: for an email's retry,
    /// which may wait out a long outage.
    /// </summary>
    public static Task SendHiddenAsync<T>(
        this Azure.Storage.Queues.QueueClient queue, T message, TimeSpan hiddenFor, CancellationToken cancellationToken = default, bool neverExpires = false) =>
        queue.SendMessageAsync(Serialize(message), visibilityTimeout: hiddenFor > TimeSpan.Zero ? hiddenFor : null,
            timeToLive: neverExpires ? TimeSpan.FromSeconds(-1) : null, cancellationToken: cancellationToken);

    /// <summary>
    /// Starts the consumer's activity for one message, as a child of the producer's when the message carries a trace
    /// parent, and records how long the message waited in the queue.
    /// </summary>
    public static Activity? StartProcessing(string functionName, string queueName, string body, DateTimeOffset? insertedOn)
    {
        if (insertedOn is { } inserted)
            AlertsTelemetry.QueueAge.Record(Math.Max(0, (DateTimeOffset.UtcNow - inserted).TotalSeconds), new KeyValuePair<string, object?>("queue", queueName));
        string? parent = null;
        try
        {
            parent = JsonNode.Parse(body)?[TraceParentProperty]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // A malformed body fails in the handler with a clear error; tracing just starts a new trace.
        }
        var activity = ActivityContext.TryParse(parent, null, out var context)
            ? AlertsTelemetry.Source.StartActivity(functionName, ActivityKind.Consumer, context)
            : AlertsTelemetry.Source.StartActivity(functionName, ActivityKind.Consumer);
        activity?.SetTag("messaging.system", "azure_queue");
        activity?.SetTag("messaging.destination.name", queueName);
        return activity;
    }

    /// <summary>Starts the activity for a timer run: the root of the trace its messages carry on.</summary>
    public static Activity? StartTimer(string functionName) =>
        AlertsTelemetry.Source.StartActivity(functionName, ActivityKind.Internal);
}
