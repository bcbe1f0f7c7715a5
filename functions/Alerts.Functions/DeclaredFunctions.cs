using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Alerts.Functions;

public enum TriggerKind { Http, Queue, Timer, Other }

/// <summary>
/// One function exactly as its attributes declare it: the <c>[Function]</c> name, the trigger and what the trigger
/// says. The Functions SDK turns the same attributes into functions.metadata for Azure; the local host serves this.
/// <see cref="Queue"/>, <see cref="Schedule"/> and <see cref="Route"/> are the attribute's text, with any
/// <c>%Setting%</c> left for the host to resolve.
/// </summary>
public sealed record DeclaredFunction(string Name, TriggerKind Trigger, MethodInfo Method, Attribute TriggerAttribute)
{
    public string? Queue => (TriggerAttribute as QueueTriggerAttribute)?.QueueName;
    public string? Schedule => (TriggerAttribute as TimerTriggerAttribute)?.Schedule;
    public bool RunOnStartup => (TriggerAttribute as TimerTriggerAttribute)?.RunOnStartup ?? false;
    public string? Route => (TriggerAttribute as HttpTriggerAttribute)?.Route;

    /// <summary>Lower-case HTTP methods; null when the trigger accepts any method.</summary>
    public IReadOnlyList<string>? Methods =>
        TriggerAttribute is HttpTriggerAttribute { Methods: { Length: > 0 } methods } ? [.. methods.Select(m => m.ToLowerInvariant())] : null;

    public AuthorizationLevel? AuthLevel => (TriggerAttribute as HttpTriggerAttribute)?.AuthLevel;

    /// <summary>An admin route: any HTTP function that needs a key (Function, Admin or System level).</summary>
    public bool AdminOnly => AuthLevel is { } level && level != AuthorizationLevel.Anonymous;

    /// <summary>See <see cref="CompletesHttpRequestsAttribute"/>.</summary>
    public bool CompletesHttpRequests => Method.IsDefined(typeof(CompletesHttpRequestsAttribute));

    /// <summary>The parameter that carries the trigger (the request, the message, the timer).</summary>
    public ParameterInfo TriggerParameter =>
        Method.GetParameters().Single(p => p.GetCustomAttributes().Any(a => a is TriggerBindingAttribute));
}

/// <summary>Every function of this app, read once from its attributes (both hosts use the same list).</summary>
public static class DeclaredFunctions
{
    public static IReadOnlyList<DeclaredFunction> All { get; } = Discover(typeof(DeclaredFunctions).Assembly);

    private static readonly Dictionary<string, DeclaredFunction> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static DeclaredFunction? Find(string name) => ByName.GetValueOrDefault(name);

    public static IReadOnlyList<DeclaredFunction> Discover(Assembly assembly) =>
        [.. assembly.GetExportedTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => (method, function: method.GetCustomAttribute<FunctionAttribute>()))
            .Where(x => x.function is not null)
            .Select(x => Describe(x.function!.Name, x.method))
            .OrderBy(f => f.Name, StringComparer.Ordinal)];

    private static DeclaredFunction Describe(string name, MethodInfo method)
    {
        var triggers = method.GetParameters().SelectMany(p => p.GetCustomAttributes().OfType<TriggerBindingAttribute>()).ToList();
        if (triggers.Count != 1)
            throw new InvalidOperationException($"Function {name} ({method.DeclaringType!.Name}.{method.Name}) must have exactly one trigger; it has {triggers.Count}.");
        var kind = triggers[0] switch
        {
            HttpTriggerAttribute => TriggerKind.Http,
            QueueTriggerAttribute => TriggerKind.Queue,
            TimerTriggerAttribute => TriggerKind.Timer,
            _ => TriggerKind.Other,
        };
        return new DeclaredFunction(name, kind, method, triggers[0]);
    }
}
