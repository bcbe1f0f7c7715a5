using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Alerts.Functions;

/// <summary>Lets a function return the <see cref="IResult"/> that the shared endpoint code produces.</summary>
public sealed class ResultAction(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context)
    {
        Alerts.Core.Web.SecurityHeaders.Apply(context.HttpContext);
        return result.ExecuteAsync(context.HttpContext);
    }

    /// <summary>Input the endpoint refused (wrong content type, too large, malformed) becomes a 4xx problem, never a 500.</summary>
    public static async Task<IActionResult> From(Task<IResult> result)
    {
        try
        {
            return new ResultAction(await result);
        }
        catch (Exception ex) when (Alerts.Core.Web.RequestBody.ToProblem(ex) is { } problem)
        {
            return new ResultAction(problem);
        }
    }
}
