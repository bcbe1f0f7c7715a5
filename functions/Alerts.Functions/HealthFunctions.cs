using Alerts.Core.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Alerts.Functions;

/// <summary>GET /healthz: storage, SMTP and stalled queues, within 2 s; anonymous so that a probe needs no key.</summary>
public sealed class HealthFunctions(HealthEndpoint health)
{
    [Function("Health")]
    public Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HealthEndpoint.Route)] HttpRequest request) =>
        ResultAction.From(health.GetAsync(request));
}
