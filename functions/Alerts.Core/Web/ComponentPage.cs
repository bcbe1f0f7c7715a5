using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Core.Web;

/// <summary>
/// An HTTP result that renders a page component when the host executes it, so endpoint methods stay synchronous
/// and both hosts (Functions and the local host) serve pages the same way.
/// </summary>
public sealed class ComponentPage<TComponent>(IReadOnlyDictionary<string, object?> parameters, int statusCode = StatusCodes.Status200OK)
    : IResult, IStatusCodeHttpResult where TComponent : IComponent
{
    public int? StatusCode => statusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var html = await httpContext.RequestServices.GetRequiredService<ComponentRenderer>().RenderAsync<TComponent>(parameters);
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "text/html; charset=utf-8";
        await httpContext.Response.WriteAsync(html);
    }
}

/// <summary>Shorthands for <see cref="ComponentPage{TComponent}"/>.</summary>
public static class ComponentPage
{
    /// <summary>A page component whose only parameter is <c>Model</c>.</summary>
    public static IResult For<TComponent>(object model, int statusCode = StatusCodes.Status200OK) where TComponent : IComponent =>
        new ComponentPage<TComponent>(new Dictionary<string, object?> { ["Model"] = model }, statusCode);
}
