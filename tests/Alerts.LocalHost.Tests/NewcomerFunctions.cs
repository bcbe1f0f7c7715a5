using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Alerts.LocalHost.Tests;

public sealed record NewcomerMessage(string Word);

/// <summary>
/// Functions as a newcomer would add them to Alerts.Functions (attributes only, services from the constructor), to
/// prove the local host serves a function that is declared nowhere else. Only FunctionMetadataTests serves them.
/// </summary>
public sealed class NewcomerFunctions(TimeProvider time)
{
    public static readonly ConcurrentQueue<string> Seen = new();

    [Function("NewcomerEcho")]
    public Task<IActionResult> Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "newcomer/echo/{word}")] HttpRequest request, string word, string times) =>
        ResultAction.From(Task.FromResult(Results.Text(string.Join(' ', Enumerable.Repeat(word, int.Parse(times))))));

    [Function("NewcomerAdmin")]
    public Task<IActionResult> Admin([HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/admin/newcomer")] HttpRequest request) =>
        ResultAction.From(Task.FromResult(Results.NoContent()));

    [Function("NewcomerQueue")]
    public Task Queue([QueueTrigger("%Newcomer__Queue%")] NewcomerMessage message, CancellationToken cancellationToken)
    {
        Seen.Enqueue("queue " + message.Word);
        return Task.CompletedTask;
    }

    [Function("NewcomerTimer")]
    public async Task Timer([TimerTrigger("%NewcomerSchedule%", RunOnStartup = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Seen.Enqueue(timer.ScheduleStatus!.Next > time.GetUtcNow().UtcDateTime ? "timer" : "timer without a next run");
    }
}
