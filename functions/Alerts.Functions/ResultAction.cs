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

    public static async Task<IActionResult> From(Task<IResult> result) => new ResultAction(await result);
}
