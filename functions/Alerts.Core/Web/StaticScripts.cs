using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Alerts.Core.Web;

/// <summary>
/// The pages' scripts, embedded in the assembly and served at <c>/static/{name}</c> by both hosts, so that the
/// Content-Security-Policy can say <c>script-src 'self'</c> with no inline script allowed.
/// </summary>
public static class StaticScripts
{
    /// <summary>The subscribe page's live preview and time-zone fill-in.</summary>
    public const string Subscribe = "/static/subscribe.js";

    private static readonly FrozenDictionary<string, byte[]> Files = Load();

    private static FrozenDictionary<string, byte[]> Load()
    {
        const string prefix = "Alerts.Core.Web.Scripts.";
        var assembly = typeof(StaticScripts).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name[prefix.Length..]] = copy.ToArray();
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary><c>GET /static/{name}</c>: the script, or a problem+json 404.</summary>
    public static IResult Serve(HttpRequest request)
    {
        var name = request.RouteValues["name"]?.ToString() ?? request.Path.Value?.Split('/').LastOrDefault() ?? "";
        if (!Files.TryGetValue(name, out var bytes))
            return Results.Problem(title: "Not found.", statusCode: StatusCodes.Status404NotFound);
        request.HttpContext.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Bytes(bytes, "text/javascript; charset=utf-8");
    }
}
