using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.LocalHost.Tests;

/// <summary>
/// The local host as a person runs it — Kestrel, queue listeners, the same handlers — on real Azurite, a real SMTP
/// server and real HTTP feeds, with a fake clock so that "tomorrow at 08:00" takes no time. Timers are driven by the
/// test (their schedules never fire), queues by the host's own listeners. What a test does through it (subscribe,
/// confirm, wait for an email, call the admin API) is in <see cref="EndToEndSteps"/>.
/// </summary>
public sealed class LocalHostHarness : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key";
    public const string AdminEmail = "feeds-admin@alerts.test";
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);

    private LocalHostHarness(WebApplication app, TestSmtpServer smtp, TestFeedServer feeds, FakeTimeProvider clock, AlertsStorage storage, string baseUrl)
    {
        App = app;
        Smtp = smtp;
        Feeds = feeds;
        Clock = clock;
        Storage = storage;
        BaseUrl = baseUrl;
        Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
    }

    public WebApplication App { get; }
    public TestSmtpServer Smtp { get; }
    public TestFeedServer Feeds { get; }
    public FakeTimeProvider Clock { get; }
    public AlertsStorage Storage { get; }
    public string BaseUrl { get; }
    public HttpClient Http { get; }

    /// <param name="extraSettings">Settings added to (or overriding) the harness's own, e.g. a shorter feed timeout.</param>
    /// <param name="resetStorage">False for a second instance on the storage a first one already uses.</param>
    /// <param name="configureServices">Services added after the host's own (a test's probe).</param>
    /// <param name="functions">What to serve instead of every function of Alerts.Functions.</param>
    public static async Task<LocalHostHarness> StartAsync(AzuriteFixture azurite, bool runTriggers = true,
        IDictionary<string, string?>? extraSettings = null, bool resetStorage = true,
        Action<IServiceCollection>? configureServices = null, IReadOnlyList<DeclaredFunction>? functions = null)
    {
        var storage = resetStorage ? await azurite.ResetAsync() : Alerts.Core.Storage.AlertsStorage.FromConnectionString(azurite.ConnectionString);
        var smtp = await TestSmtpServer.StartAsync();
        var feeds = await TestFeedServer.StartAsync();
        var clock = new FakeTimeProvider(Start);
        var port = FreePort.Next();
        var baseUrl = $"http://127.0.0.1:{port}";
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            // Never fires on its own: the tests run the timers.
            [ScheduleSettings.Poll] = "0 0 0 1 1 *",
            [ScheduleSettings.Digest] = "0 0 0 1 1 *",
            [ScheduleSettings.UnsubscribeMailbox] = "0 0 0 1 1 *",
            [ScheduleSettings.IndexSnapshot] = "0 0 0 1 1 *",
            [ScheduleSettings.DeliverySweep] = "0 0 0 1 1 *",
            ["Site:PublicBaseUrl"] = baseUrl,
            ["Tokens:SigningKey"] = "end-to-end-test-signing-key-0123456789abcdef",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(),
            ["Smtp:Security"] = "None",
            ["Smtp:FromAddress"] = "alerts@alerts.test",
            ["Admin:ApiKey"] = AdminKey,
            ["Admin:AlertEmail"] = AdminEmail,
            // The test feed server is on loopback, which the SSRF guard refuses unless told otherwise.
            ["Feeds:AllowLoopback"] = "true",
            ["Matching:IndexRefreshInterval"] = "00:00:00",
            // Alerts at once, so each test waits for its email only as long as the work takes; MultiInstanceTests runs
            // three worker processes with the default gather window.
            ["Delivery:InstantGatherFor"] = "00:00:00",
        };
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
            settings[key] = value;
        var app = LocalApp.Build(new LocalAppOptions(settings, port, runTriggers, functions), services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            configureServices?.Invoke(services);
        });
        await LocalApp.PrepareStorageAsync(app);
        await app.StartAsync();
        return new LocalHostHarness(app, smtp, feeds, clock, storage, baseUrl);
    }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Runs a timer function once, as its schedule would (through the same invoker; failures surface here).</summary>
    public async Task RunTimerAsync(string name)
    {
        var function = DeclaredFunctions.Find(name) is { Trigger: TriggerKind.Timer } timer ? FunctionInvoker.For(timer)
            : throw new ArgumentException($"No timer function named {name}.", nameof(name));
        await using var scope = App.Services.CreateAsyncScope();
        await function.InvokeAsync(scope.ServiceProvider, new TriggerInput(Timer: new Microsoft.Azure.Functions.Worker.TimerInfo()), CancellationToken.None);
    }

    /// <summary>Waits until every pipeline queue is empty and stays empty (the listeners have done all the work).</summary>
    public async Task WaitForQueuesToDrainAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var quietRounds = 0;
        while (quietRounds < 3)
        {
            var pending = 0;
            foreach (var queue in QueueNames.All)
                pending += (await Storage.Queue(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;
            quietRounds = pending == 0 ? quietRounds + 1 : 0;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{pending} messages still queued after the timeout.");
            await Task.Delay(300);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
        await Feeds.DisposeAsync();
    }
}
