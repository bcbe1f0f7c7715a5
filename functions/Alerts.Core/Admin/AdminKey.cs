using System.Security.Cryptography;
using System.Text;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Admin;

/// <summary>
/// The one admin-key check, which each host runs once before every admin function (the local host as an endpoint
/// filter, the Functions app as worker middleware), so no endpoint checks it itself. One authority per host:
/// <list type="bullet">
/// <item>Local host (and <c>func start</c>, where Core Tools does not enforce keys): <c>Admin__ApiKey</c> is set and the
/// key must come as <c>x-functions-key</c> or <c>?code=</c>.</item>
/// <item>Azure: the admin functions are <c>AuthorizationLevel.Function</c>, so the Functions host has already refused any
/// request without one of its keys (<c>az functionapp keys list</c>), and <c>Admin__ApiKey</c> is empty (Bicep sets
/// it so): there is nothing more to compare. Setting it there would demand a host key equal to it, i.e. 401s.</item>
/// </list>
/// </summary>
public sealed class AdminKey(IOptions<AdminOptions> options, AdminPages pages)
{
    public bool IsPresent(HttpRequest request)
    {
        var expected = options.Value.ApiKey;
        if (string.IsNullOrEmpty(expected))
            return true;
        string given = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault() ?? "";
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
    }

    /// <summary>Null when the key is present; else a 401: the admin pages' own page under /manage-feeds, the JSON API's problem elsewhere.</summary>
    public IResult? Refusal(HttpRequest request) =>
        IsPresent(request) ? null
        : request.Path.StartsWithSegments("/" + Routes.AdminPage, StringComparison.OrdinalIgnoreCase) ? pages.KeyRequired()
        : Results.Problem(title: "An admin key is required.", statusCode: StatusCodes.Status401Unauthorized);
}
