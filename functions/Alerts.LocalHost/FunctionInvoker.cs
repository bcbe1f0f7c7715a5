using System.Reflection;
using System.Text.Json;
using Alerts.Functions;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;

namespace Alerts.LocalHost;

/// <summary>What started an invocation: the HTTP request, the queue message or the timer tick.</summary>
public readonly record struct TriggerInput(HttpContext? Http = null, QueueMessage? Message = null, TimerInfo? Timer = null);

/// <summary>
/// Calls a declared function as the Functions worker does: a new instance of its class from the invocation's
/// services (ActivatorUtilities, like the worker's default activator), the trigger bound to its trigger parameter,
/// route values to same-named string parameters, the invocation's token to a CancellationToken. What the local host
/// cannot bind is refused when the host starts, naming the function, never at the first request.
/// </summary>
public sealed class FunctionInvoker
{
    private readonly Func<TriggerInput, CancellationToken, object?>[] _arguments;

    private FunctionInvoker(DeclaredFunction function, Func<TriggerInput, CancellationToken, object?>[] arguments)
    {
        Function = function;
        _arguments = arguments;
    }

    public DeclaredFunction Function { get; }

    public static FunctionInvoker For(DeclaredFunction function)
    {
        if (function.Trigger == TriggerKind.Other)
            throw Unsupported(function, $"its trigger {function.TriggerAttribute.GetType().Name} (the local host serves HTTP, queue and timer triggers)");
        var returns = function.Method.ReturnType;
        var result = returns == typeof(Task) || returns == typeof(ValueTask) || returns == typeof(void) ? null
            : returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>) ? returns.GetGenericArguments()[0]
            : returns;
        if (function.Trigger == TriggerKind.Http
            ? result is null || !(typeof(IActionResult).IsAssignableFrom(result) || typeof(IResult).IsAssignableFrom(result))
            : result is not null)
            throw Unsupported(function, $"its return type {returns.Name} (HTTP functions return IActionResult or IResult, others Task or void; output bindings are not served)");
        return new FunctionInvoker(function, [.. function.Method.GetParameters().Select(p => Binder(function, p))]);
    }

    public async Task<object?> InvokeAsync(IServiceProvider services, TriggerInput input, CancellationToken cancellationToken)
    {
        var method = Function.Method;
        var instance = method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, method.DeclaringType!);
        var arguments = _arguments.Select(bind => bind(input, cancellationToken)).ToArray();
        var returned = method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, arguments, null);
        switch (returned)
        {
            case ValueTask valueTask:
                await valueTask;
                return null;
            case Task task:
                await task;
                return method.ReturnType.IsGenericType ? method.ReturnType.GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
            default:
                return returned;
        }
    }

    /// <summary>Runs an HTTP function and turns what it returned into the response.</summary>
    public async Task<IResult> InvokeHttpAsync(HttpContext context) =>
        await InvokeAsync(context.RequestServices, new TriggerInput(Http: context), context.RequestAborted) switch
        {
            IResult result => result,
            IActionResult action => new ActionResultAdapter(action),
            var other => throw new InvalidOperationException($"Function {Function.Name} returned {other?.GetType().Name ?? "null"}."),
        };

    private sealed class ActionResultAdapter(IActionResult action) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) =>
            action.ExecuteResultAsync(new ActionContext(httpContext, httpContext.GetRouteData(), new ActionDescriptor()));
    }

    private static Func<TriggerInput, CancellationToken, object?> Binder(DeclaredFunction function, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (type == typeof(CancellationToken))
            return (_, ct) => ct;
        if (parameter.Position == function.TriggerParameter.Position)
            return (function.Trigger, type) switch
            {
                (TriggerKind.Http, _) when type == typeof(HttpRequest) => (input, _) => input.Http!.Request,
                (TriggerKind.Queue, _) when type == typeof(QueueMessage) => (input, _) => input.Message!,
                (TriggerKind.Queue, _) when type == typeof(string) => (input, _) => input.Message!.Body.ToString(),
                (TriggerKind.Queue, _) when type == typeof(BinaryData) => (input, _) => input.Message!.Body,
                // The worker's default serializer: System.Text.Json, property names case-insensitive.
                (TriggerKind.Queue, _) when !type.IsPrimitive => (input, _) => JsonSerializer.Deserialize(input.Message!.Body.ToString(), type, PocoJson),
                (TriggerKind.Timer, _) when type == typeof(TimerInfo) => (input, _) => input.Timer!,
                _ => throw Unsupported(function, $"its trigger parameter {parameter.Name} of type {type.Name}"),
            };
        if (function.Trigger == TriggerKind.Http && type == typeof(string) && parameter.Name is { } name)
            // As the worker's binding data: the route's values, then the query string.
            return (input, _) => input.Http!.Request.RouteValues.TryGetValue(name, out var value) && value is not null
                ? value.ToString()
                : input.Http!.Request.Query[name].FirstOrDefault();
        throw Unsupported(function, $"its parameter {parameter.Name} of type {type.Name}");
    }

    private static readonly JsonSerializerOptions PocoJson = new() { PropertyNameCaseInsensitive = true };

    private static NotSupportedException Unsupported(DeclaredFunction function, string what) =>
        new($"The local host cannot serve function {function.Name} ({function.Method.DeclaringType!.Name}.{function.Method.Name}): {what}.");
}
