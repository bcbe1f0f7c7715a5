using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Alerts.Core.Admin;

/// <summary>
/// The one admin-key check every admin route uses. With <c>Admin__ApiKey</c> set (the local host), the key must come
/// as <c>x-functions-key</c> or <c>?code=</c>. In Azure the setting is empty and the Functions host has already checked
/// its own admin key.
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
