using System.Security.Cryptography;
using Alerts.Core.Feeds;
using Alerts.LocalHost;
using Microsoft.Extensions.Options;

// Runs the whole service on one machine: Azurite, smtp4dev, and the Functions handlers on Kestrel.
//   dotnet run --project functions/Alerts.LocalHost [-- --no-demo] [--port 7071] [--in-memory]
// --worker: one more instance on storage and SMTP that are already running, like a scaled-out Functions instance: no
// Azurite, smtp4dev or demo feeds; settings ALERTS_<Name> (e.g. ALERTS_AzureWebJobsStorage, ALERTS_Smtp__Port) from
// the environment override local.settings(.sample).json. The multi-instance test starts three of these.
var worker = args.Contains("--worker");
var demo = !args.Contains("--no-demo") && !worker;
var inMemory = args.Contains("--in-memory");
var port = args.SkipWhile(a => a != "--port").Skip(1).Select(int.Parse).DefaultIfEmpty(7071).First();
var root = FindRepositoryRoot();

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
var log = loggerFactory.CreateLogger("Alerts.LocalHost");
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
// `kill` (SIGTERM) also stops the services this process started, not just Ctrl+C.
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });

await using var services = new DevServices(root, log);
try
{
    if (!worker)
        await services.StartAsync(inMemory, stop.Token);
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    log.LogCritical("Could not start the local services: {Error}", ex.Message);
    return 1;
}

var settings = LocalApp.ReadSettings(root);
if (worker)
    foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        if (variable.Key is string name && name.StartsWith("ALERTS_", StringComparison.Ordinal))
            settings[name["ALERTS_".Length..].Replace("__", ":")] = variable.Value as string;
settings["Site:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
// The local host always asks for an admin key; without one configured it makes one for this run.
if (string.IsNullOrEmpty(settings.GetValueOrDefault("Admin:ApiKey")))
    settings["Admin:ApiKey"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
if (string.IsNullOrEmpty(settings.GetValueOrDefault("AzureWebJobsStorage")))
    settings["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";

var app = LocalApp.Build(new LocalAppOptions(settings, port), s => s.AddSingleton<DemoFeeds>());
if (demo)
{
    var feeds = app.Services.GetRequiredService<DemoFeeds>();
    app.MapGet("/demo/feeds/{slug}", (HttpContext context, string slug) => feeds.Serve(context, slug));
}
await LocalApp.PrepareStorageAsync(app, stop.Token);
if (demo)
    await app.Services.GetRequiredService<DemoFeeds>().RegisterAsync(
        app.Services.GetRequiredService<FeedStore>(), $"http://127.0.0.1:{port}",
        app.Services.GetRequiredService<IOptions<FeedFetchOptions>>(), stop.Token);

try
{
    await app.StartAsync(stop.Token);
}
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    log.LogCritical("Port {Port} is in use (another Alerts still running?). Stop it, or pass --port with a free port.", port);
    return 1;
}
var adminKey = settings["Admin:ApiKey"];
Console.WriteLine($"""

    Alerts is running.
      Subscribe page:  http://127.0.0.1:{port}/subscribe
      Email inbox:     {services.InboxUrl}
      Admin pages:     http://127.0.0.1:{port}/manage-feeds?code={adminKey}
      Admin API:       http://127.0.0.1:{port}/api/admin/feeds?code={adminKey}
      Metrics, health: http://127.0.0.1:{port}/metrics, http://127.0.0.1:{port}/healthz
      Demo feeds:      {(demo ? string.Join(", ", app.Services.GetRequiredService<DemoFeeds>().Paths.Select(p => $"http://127.0.0.1:{port}{p}")) : "off (--no-demo)")}
    Press Ctrl+C to stop everything.

    """);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
await app.StopAsync(CancellationToken.None);
return 0;

static string FindRepositoryRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Alerts.sln")))
                return dir.FullName;
    throw new InvalidOperationException("Run the local host from inside the Alerts repository.");
}
