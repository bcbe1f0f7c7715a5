using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Alerts.LocalHost.Tests;

/// <summary>
/// Each function is declared once, by its attributes in Alerts.Functions: the local host reads them at start-up and
/// serves every route, queue and timer they declare, and reads them as the Functions SDK does for Azure.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class FunctionMetadataTests(AzuriteFixture azurite)
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

    [Fact]
    public void The_local_host_reads_the_attributes_as_the_Functions_SDK_writes_them_into_functions_metadata()
    {
        var read = DeclaredFunctions.All.Select(f => new Declared(
                f.Name,
                f.Trigger switch { TriggerKind.Timer => "timerTrigger", TriggerKind.Queue => "queueTrigger", TriggerKind.Http => "httpTrigger", _ => "other" },
                f.Queue,
                f.Schedule,
                f.Route,
                f.Methods is null ? null : string.Join(",", f.Methods.Order()),
                f.AuthLevel?.ToString()))
            .OrderBy(d => d.Name, StringComparer.Ordinal).ToList();

        Assert.Equal(ReadFunctionsMetadata(), read);
    }

    [Fact]
    public void The_pipeline_has_its_five_queues_and_five_timers()
    {
        var functions = ReadFunctionsMetadata();
        Assert.Equal(["article-match", "digest-send", "feed-fetch", "manage-link-request", "subscribe-request"],
            functions.Where(f => f.Queue is not null).Select(f => f.Queue!).Order().ToArray());
        Assert.Equal(["%DeliverySweepSchedule%", "%DigestSchedule%", "%IndexSnapshotSchedule%", "%PollSchedule%", "%UnsubscribeMailboxSchedule%"],
            functions.Where(f => f.Schedule is not null).Select(f => f.Schedule!).Order().ToArray());
    }

    [Fact]
    public async Task Every_declared_route_answers_each_of_its_methods_through_its_own_function()
    {
        var seen = new MatchedEndpoints();
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false,
            configureServices: s => s.AddSingleton<IStartupFilter>(seen));
        var routes = DeclaredFunctions.All.Where(f => f.Trigger == TriggerKind.Http).ToList();
        Assert.Equal(DeclaredFunctions.All.Count(f => f.Route is not null), routes.Count);

        foreach (var function in routes)
            foreach (var method in function.Methods ?? ["get"])
            {
                var path = "/" + Regex.Replace(function.Route!, @"\{[^}]+\}", "sample");
                using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path)
                {
                    Content = method == "get" ? null : new StringContent("{}", Encoding.UTF8, "application/json"),
                };
                if (function.AdminOnly)
                    request.Headers.Add("x-functions-key", LocalHostHarness.AdminKey);
                request.Headers.Add(MatchedEndpoints.Header, $"{function.Name} {method}");
                var response = await host.Http.SendAsync(request);

                Assert.NotEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode);
                Assert.True(seen.Endpoints.TryGetValue($"{function.Name} {method}", out var endpoint), $"{function.Name}: no answer to {method} {path}");
                Assert.Equal(function.Name, endpoint);
            }
    }

    [Fact]
    public async Task Every_declared_queue_is_listened_on_and_every_timer_scheduled_from_its_setting()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: true);
        var hosted = host.App.Services.GetServices<IHostedService>().ToList();
        var configuration = host.App.Services.GetRequiredService<IConfiguration>();

        var queues = DeclaredFunctions.All.Where(f => f.Trigger == TriggerKind.Queue).ToList();
        Assert.Equal(queues.Select(f => (f.Name, f.Queue)).Order(),
            hosted.OfType<QueueListener>().Select(l => (l.Function.Name, (string?)l.QueueName)).Order());
        var timers = DeclaredFunctions.All.Where(f => f.Trigger == TriggerKind.Timer).ToList();
        Assert.NotEmpty(timers);
        Assert.Equal(timers.Select(f => (f.Name, configuration[f.Schedule!.Trim('%')])).Order(),
            hosted.OfType<TimerRunner>().Select(r => (r.Function.Name, (string?)r.Expression)).Order());

        // Listened on, not only registered: a message put on each queue is taken within seconds (this one fails to
        // parse, so it stays invisible for the visibility timeout rather than being deleted).
        foreach (var function in queues)
            await host.Storage.Queue(function.Queue!).SendMessageAsync("not a message");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        foreach (var function in queues)
            while ((await host.Storage.Queue(function.Queue!).PeekMessagesAsync(1)).Value.Length > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"Nobody took the message on {function.Queue} ({function.Name}).");
                await Task.Delay(100);
            }
    }

    [Fact]
    public async Task A_function_declared_only_by_its_attributes_is_served_with_its_route_auth_queue_and_timer()
    {
        var functions = DeclaredFunctions.Discover(typeof(NewcomerFunctions).Assembly);
        Assert.Equal(["NewcomerAdmin", "NewcomerEcho", "NewcomerQueue", "NewcomerTimer"], functions.Select(f => f.Name));
        NewcomerFunctions.Seen.Clear();
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: true, functions: [.. DeclaredFunctions.All, .. functions],
            extraSettings: new Dictionary<string, string?> { ["Newcomer:Queue"] = "newcomer-work", ["NewcomerSchedule"] = "0 0 0 1 1 *" });

        var echo = await host.Http.GetAsync("/newcomer/echo/hello?times=2");
        Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
        Assert.Equal("hello hello", await echo.Content.ReadAsStringAsync());
        // An admin route needs the key with no check of its own: the host's one filter refuses it.
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.PostAsync("/api/admin/newcomer", null)).StatusCode);
        using var keyed = new HttpRequestMessage(HttpMethod.Post, "/api/admin/newcomer");
        keyed.Headers.Add("x-functions-key", LocalHostHarness.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.SendAsync(keyed)).StatusCode);

        var queue = host.Storage.Queue("newcomer-work");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("""{"word":"queued"}""");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!NewcomerFunctions.Seen.Contains("queue queued") || !NewcomerFunctions.Seen.Contains("timer"))
        {
            Assert.True(DateTime.UtcNow < deadline, "Seen: " + string.Join(", ", NewcomerFunctions.Seen));
            await Task.Delay(100);
        }
        // Deleted once handled, as the queue trigger does.
        await Task.Delay(500);
        Assert.Empty((await queue.PeekMessagesAsync(1)).Value);
    }

    [Fact]
    public async Task Every_key_level_route_answers_401_without_the_key_from_the_one_admin_filter()
    {
        // The newcomer's admin function has no check of its own, so its 401 can only come from the host's filter.
        var functions = (IReadOnlyList<DeclaredFunction>)[.. DeclaredFunctions.All, .. DeclaredFunctions.Discover(typeof(NewcomerFunctions).Assembly)];
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false, functions: functions,
            extraSettings: new Dictionary<string, string?> { ["Newcomer:Queue"] = "newcomer-work", ["NewcomerSchedule"] = "0 0 0 1 1 *" });
        var admin = functions.Where(f => f.AdminOnly).ToList();
        Assert.Contains(admin, f => f.Name == "NewcomerAdmin");
        Assert.Equal(DeclaredFunctions.All.Count(f => f.Method.DeclaringType == typeof(AdminFunctions)), admin.Count - 1);

        foreach (var function in admin)
            foreach (var method in function.Methods ?? ["get"])
                foreach (var key in new[] { null, "wrong-key" })
                {
                    var path = "/" + Regex.Replace(function.Route!, @"\{[^}]+\}", "sample");
                    using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path)
                    {
                        Content = method == "get" ? null : new StringContent("{}", Encoding.UTF8, "application/json"),
                    };
                    if (key is not null)
                        request.Headers.Add("x-functions-key", key);
                    var response = await host.Http.SendAsync(request);
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{function.Name} {method} {path} key={key}: {response.StatusCode}");
                }
    }

    [Fact]
    public void A_missing_setting_named_by_a_trigger_is_refused_with_its_name()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Feeds:Queue"] = "feeds" }).Build();

        Assert.Equal("feeds-x", SettingExpressions.Resolve("%Feeds__Queue%-x", configuration, "F"));
        var missing = Assert.Throws<InvalidOperationException>(() => { SettingExpressions.Resolve("%PollSchedule%", configuration, "PollFeeds"); });
        Assert.Contains("PollSchedule", missing.Message, StringComparison.Ordinal);
    }

    /// <summary>Which endpoint answered each request, recorded before the response starts (so before the client sees it).</summary>
    private sealed class MatchedEndpoints : IStartupFilter
    {
        public const string Header = "X-Probe";

        public ConcurrentDictionary<string, string?> Endpoints { get; } = new();

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Response.OnStarting(() =>
                {
                    if (context.Request.Headers[Header].FirstOrDefault() is { } probe)
                        Endpoints[probe] = context.GetEndpoint()?.DisplayName;
                    return Task.CompletedTask;
                });
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
