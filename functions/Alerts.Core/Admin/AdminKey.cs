using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Alerts.Core.Admin;

/// <summary>
/// The one admin-key check every admin route uses, in both hosts. There is one authority per host:
/// <list type="bullet">
/// <item>Local host (and <c>func start</c>, where Core Tools does not enforce keys): <c>Admin__ApiKey</c> is set and the
/// key must come as <c>x-functions-key</c> or <c>?code=</c>.</item>
/// <item>Azure: the admin functions are <c>AuthorizationLevel.Function</c>, so the Functions host has already refused any
/// request without one of its keys (<c>az functionapp keys list</c>), and <c>Admin__ApiKey</c> is empty (Bicep sets
/// it so): there is nothing more to compare. Setting it there would demand a host key equal to it, i.e. 401s.</item>
/// </list>
/// </summary>
public static class AdminKey
{
    public static bool IsPresent(HttpRequest request, AdminOptions options)
    {
        var expected = options.ApiKey;
        if (string.IsNullOrEmpty(expected))
            return true;
        string given = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault() ?? "";
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
    }

    /// <summary>The JSON API's 401, or null when the key is present.</summary>
    public static IResult? Refusal(HttpRequest request, AdminOptions options) =>
        IsPresent(request, options) ? null : Results.Problem(title: "An admin key is required.", statusCode: StatusCodes.Status401Unauthorized);
}
