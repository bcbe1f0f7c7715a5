using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alerts.Core.Storage;

/// <summary>One JSON shape for queue messages, shared by producers, the Functions triggers and the local host.</summary>
public static class QueueMessages
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize<T>(T message) => JsonSerializer.Serialize(message, Json);

    public static T Deserialize<T>(string body) =>
        JsonSerializer.Deserialize<T>(body, Json) ?? throw new JsonException($"Empty {typeof(T).Name} message.");

    public static Task SendAsync<T>(this Azure.Storage.Queues.QueueClient queue, T message, CancellationToken cancellationToken = default) =>
        queue.SendMessageAsync(Serialize(message), cancellationToken);
}
