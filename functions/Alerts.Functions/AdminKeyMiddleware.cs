using Alerts.Core.Admin;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Alerts.Functions;

/// <summary>
/// The Functions app's one admin check, before any admin function (a key-level HTTP trigger, see
/// <see cref="DeclaredFunction.AdminOnly"/>) runs: the same <see cref="AdminKey"/> the local host's endpoint filter
/// calls. In Azure the host has already refused a call without one of its keys and Admin__ApiKey is empty, so this
/// passes; under <c>func start</c>, where Core Tools enforces no keys, it asks for Admin__ApiKey.
/// </summary>
public sealed class AdminKeyMiddleware(AdminKey adminKey) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (DeclaredFunctions.Find(context.FunctionDefinition.Name) is { AdminOnly: true }
            && context.GetHttpContext() is { } http
            && adminKey.Refusal(http.Request) is { } refused)
        {
            // The ASP.NET Core integration executes an IActionResult invocation result, as it does a function's.
            context.GetInvocationResult().Value = new ResultAction(refused);
            return;
        }
        await next(context);
    }
}
