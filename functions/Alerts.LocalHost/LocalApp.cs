using System.Text.Json;
using Alerts.Core;
using Alerts.Core.Admin;
using Alerts.Core.Storage;
using Alerts.Functions;

namespace Alerts.LocalHost;

/// <summary>How to start the local host.</summary>
/// <param name="Settings">App settings, as in local.settings.json "Values".</param>
/// <param name="Port">HTTP port on 127.0.0.1 (0 picks a free one).</param>
/// <param name="RunTriggers">Start the timer and queue listeners; tests turn this off and drive the handlers.</param>
/// <param name="Functions">What to serve; by default every function declared in Alerts.Functions.</param>
public sealed record LocalAppOptions(IReadOnlyDictionary<string, string?> Settings, int Port = 7071, bool RunTriggers = true,
    IReadOnlyList<DeclaredFunction>? Functions = null);

/// <summary>The local host: the same handlers and settings as the Functions app, on Kestrel, Azurite and SMTP.</summary>
public static class LocalApp
{
    public static WebApplication Build(LocalAppOptions options, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(options.Settings);
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });

        builder.Services.AddAlertsCore(builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<MetricsEndpoint>();
        configureServices?.Invoke(builder.Services);

        // Every function declared in Alerts.Functions, read from its attributes; one the local host cannot serve
        // stops it here, with its name.
        var functions = (options.Functions ?? DeclaredFunctions.All).Select(FunctionInvoker.For).ToList();
        foreach (var function in functions.Where(f => f.Function.Trigger == TriggerKind.Queue))
            // The HTTP routes are always on, so is a queue that completes their requests.
            if (options.RunTriggers || function.Function.CompletesHttpRequests)
                builder.Services.AddSingleton<IHostedService>(s => ActivatorUtilities.CreateInstance<QueueListener>(s, function));
        foreach (var function in functions.Where(f => f.Function.Trigger == TriggerKind.Timer && options.RunTriggers))
            builder.Services.AddSingleton<IHostedService>(s => ActivatorUtilities.CreateInstance<TimerRunner>(s, function));

        var app = builder.Build();
        // Unexpected errors and unknown routes answer problem+json too, never an empty body.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(async (context, next) =>
        {
            Alerts.Core.Web.SecurityHeaders.OnStarting(context);
            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                size.MaxRequestBodySize = Alerts.Core.Web.RequestBody.MaxRequestBytes;
            try
            {
                await next(context);
            }
            catch (Exception ex) when (Alerts.Core.Web.RequestBody.ToProblem(ex) is { } problem && !context.Response.HasStarted)
            {
                // Input we refuse (wrong type, too large, malformed) is the client's mistake: a 4xx, never a 500.
                await problem.ExecuteAsync(context);
            }
        });
        // Listen from the start, not from the first scrape.
        app.Services.GetRequiredService<MetricsEndpoint>();
        foreach (var function in functions.Where(f => f.Function.Trigger == TriggerKind.Http))
            MapHttpFunction(app, function);
        app.MapGet("/", () => Results.Redirect("/subscribe"));
        app.MapGet("/metrics", (MetricsEndpoint metrics) => Results.Text(metrics.Render(), "text/plain; version=0.0.4"));
        return app;
    }

    /// <summary>The function's route (host.json's routePrefix is ""), its methods (any when it names none), its name.</summary>
    private static void MapHttpFunction(WebApplication app, FunctionInvoker function)
    {
        var declared = function.Function;
        var handler = (Delegate)((HttpContext context) => function.InvokeHttpAsync(context));
        var endpoint = declared.Methods is { } methods
            ? app.MapMethods("/" + declared.Route, methods.Select(m => m.ToUpperInvariant()), handler)
            : app.Map("/" + declared.Route, handler);
        endpoint.WithName(declared.Name).WithDisplayName(declared.Name);
        if (declared.AdminOnly)
            // This host's one admin check (the Functions app runs the same AdminKey as worker middleware).
            endpoint.AddEndpointFilter(static async (context, next) =>
                context.HttpContext.RequestServices.GetRequiredService<AdminKey>().Refusal(context.HttpContext.Request) ?? await next(context));
    }

    /// <summary>Creates tables and queues before the listeners start polling them.</summary>
    public static Task PrepareStorageAsync(WebApplication app, CancellationToken cancellationToken = default) =>
        app.Services.GetRequiredService<AlertsStorage>().EnsureCreatedAsync(cancellationToken);

    /// <summary>"Values" of local.settings.json when present, else of local.settings.sample.json.</summary>
    public static Dictionary<string, string?> ReadSettings(string repositoryRoot)
    {
        var path = Path.Combine(repositoryRoot, "local.settings.json");
        if (!File.Exists(path))
            path = Path.Combine(repositoryRoot, "local.settings.sample.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in document.RootElement.GetProperty("Values").EnumerateObject())
            // Function app settings use "__" for nesting; IConfiguration uses ':'.
            values[property.Name.Replace("__", ":")] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.ToString();
        return values;
    }
}
