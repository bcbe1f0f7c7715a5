using Alerts.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Admin;

/// <summary>The pipeline queues' depths, and re-driving a poison queue once the cause of its failures is fixed.</summary>
public sealed class QueueAdminEndpoints(AlertsStorage storage, ILogger<QueueAdminEndpoints> logger)
{
    // Each message is moved at most once per call, so a message that fails again cannot loop inside one request.
    private const int MaxMessagesPerCall = 1000;

    /// <summary><c>GET /api/admin/queues</c>: messages waiting in each queue and its poison queue.</summary>
    public async Task<IResult> ListAsync(HttpRequest request)
    {
        var depths = await storage.QueueDepthsAsync(request.HttpContext.RequestAborted);
        return Results.Json(QueueNames.All.Select(name => new { queue = name, waiting = depths[name], poisoned = depths[QueueNames.Poison(name)] }));
    }

    /// <summary>
    /// <c>POST /api/admin/queues/{queue}/redrive</c>: moves every message of <c>{queue}-poison</c> back to
    /// <c>{queue}</c>. The handlers are idempotent, so a message that had partly succeeded is safe to run again.
    /// The message text is sent back unchanged through the same Base64 client the trigger reads.
    /// </summary>
    public async Task<IResult> RedriveAsync(HttpRequest request, string queue)
    {
        if (!QueueNames.All.Contains(queue))
            return Results.Problem(title: "No such queue.", detail: $"Queues: {string.Join(", ", QueueNames.All)}.",
                statusCode: StatusCodes.Status404NotFound);

        var target = storage.Queue(queue);
        var poison = storage.Queue(QueueNames.Poison(queue));
        var moved = 0;
        var cancellationToken = request.HttpContext.RequestAborted;
        while (moved < MaxMessagesPerCall)
        {
            var batch = (await poison.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(2), cancellationToken)).Value;
            if (batch.Length == 0)
                break;
            foreach (var message in batch)
            {
                // Send first, then delete: a crash in between duplicates a message, which the handlers absorb.
                await target.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                moved++;
            }
        }
        logger.LogInformation("Re-drove {Count} messages from {Poison} to {Queue}", moved, poison.Name, queue);
        return Results.Json(new { queue, moved });
    }
}
