namespace Alerts.Functions;

/// <summary>
/// Marks a queue function that finishes HTTP requests after they were answered (the second half of a subscribe
/// request). The local host listens on such a queue even when it serves HTTP only (tests that drive the pipeline
/// themselves); Azure ignores the attribute, since every trigger runs there.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CompletesHttpRequestsAttribute : Attribute;
