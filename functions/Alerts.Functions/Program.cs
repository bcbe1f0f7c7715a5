using Alerts.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// The one admin check of this host (the local host runs the same AdminKey as an endpoint filter).
builder.UseMiddleware<Alerts.Functions.AdminKeyMiddleware>();

var telemetry = builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
telemetry.WithTracing(t => t.AddSource(AlertsTelemetry.SourceName)).WithMetrics(m => m.AddMeter(AlertsTelemetry.MeterName));
// The exporter only where Application Insights is configured, so that `func start` works without Azure.
if (!string.IsNullOrEmpty(builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
{
    // Application Insights accepts only Entra-authenticated telemetry (local auth is off): use the app's identity.
    var clientId = builder.Configuration["AZURE_CLIENT_ID"];
    telemetry.UseAzureMonitorExporter(o => o.Credential = string.IsNullOrEmpty(clientId)
        ? new DefaultAzureCredential()
        : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId)));
}

builder.Services.AddAlertsCore(builder.Configuration);
// Requests reach the worker through the platform's front end and the Functions host: the client is the address the
// front end appended to X-Forwarded-For, not the connection (see SubscribeRateLimiter.ClientAddress).
builder.Services.Configure<Alerts.Core.Subscriptions.FrontEndOptions>(o => o.BehindPlatformFrontEnd = true);
builder.Build().Run();
