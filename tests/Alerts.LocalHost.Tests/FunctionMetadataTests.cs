using System.Text.Json;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

/// <summary>The local host and the Functions app must expose the same functions, or one of them silently drifts.</summary>
public sealed class FunctionMetadataTests
{
    private sealed record Declared(string Name, string Trigger, string? Queue, string? Schedule, string? Route, string? Methods, string? AuthLevel);

    private static IReadOnlyList<Declared> ReadFunctionsMetadata()
    {
        // This test assembly sits in tests/Alerts.LocalHost.Tests/bin/{Configuration}/net10.0.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(RepositoryRoot.Path, "functions", "Alerts.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata not found at {path}");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().Select(function =>
        {
            var trigger = function.GetProperty("bindings").EnumerateArray()
                .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            string? Text(string name) => trigger.TryGetProperty(name, out var v) ? v.GetString() : null;
            var methods = trigger.TryGetProperty("methods", out var m)
                ? string.Join(",", m.EnumerateArray().Select(x => x.GetString()!.ToLowerInvariant()).Order()) : null;
            return new Declared(function.GetProperty("name").GetString()!, trigger.GetProperty("type").GetString()!,
                Text("queueName"), Text("schedule"), Text("route"), methods, Text("authLevel"));
        }).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    private static IReadOnlyList<Declared> LocalWiring() => LocalFunctions.All.Select(f => new Declared(
            f.Name,
            f.Trigger switch { TriggerKind.Timer => "timerTrigger", TriggerKind.Queue => "queueTrigger", _ => "httpTrigger" },
            f.Queue,
            f.ScheduleSetting is null ? null : $"%{f.ScheduleSetting}%",
            f.Route,
            f.Methods is null ? null : string.Join(",", f.Methods.Select(x => x.ToLowerInvariant()).Order()),
            f.Trigger != TriggerKind.Http ? null : f.AdminOnly ? "Function" : "Anonymous"))
        .OrderBy(d => d.Name, StringComparer.Ordinal).ToList();

    [Fact]
    public void Every_function_has_the_same_trigger_queue_schedule_and_route_in_both_hosts()
    {
        Assert.Equal(LocalWiring(), ReadFunctionsMetadata());
    }

    [Fact]
    public void The_pipeline_has_its_four_queues_and_five_timers()
    {
        var functions = ReadFunctionsMetadata();
        Assert.Equal(["article-match", "digest-send", "feed-fetch", "subscribe-request"],
            functions.Where(f => f.Queue is not null).Select(f => f.Queue!).Order().ToArray());
        Assert.Equal(["%DeliverySweepSchedule%", "%DigestSchedule%", "%IndexSnapshotSchedule%", "%PollSchedule%", "%UnsubscribeMailboxSchedule%"],
            functions.Where(f => f.Schedule is not null).Select(f => f.Schedule!).Order().ToArray());
    }
}
