using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging;

namespace Alerts.Core.Web;

/// <summary>
/// Renders a Razor component (a page or an email) to an HTML string with the framework's <see cref="HtmlRenderer"/>.
/// Encoding is the renderer's job: a component writes <c>@value</c> and never encodes by hand.
/// </summary>
public sealed class ComponentRenderer(IServiceProvider services, ILoggerFactory loggers)
{
    public async Task<string> RenderAsync<TComponent>(IReadOnlyDictionary<string, object?> parameters) where TComponent : IComponent
    {
        // One renderer per render: its dispatcher runs one render at a time, so a shared one would queue every
        // page and email of the instance behind each other.
        await using var renderer = new HtmlRenderer(services, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters.ToDictionary()));
            return output.ToHtmlString();
        });
    }

    /// <summary>A component whose only parameter is <c>Model</c>.</summary>
    public Task<string> RenderAsync<TComponent>(object model) where TComponent : IComponent =>
        RenderAsync<TComponent>(new Dictionary<string, object?> { ["Model"] = model });
}
