using Microsoft.Extensions.Configuration;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// The signing and admin keys published in <c>local.settings.sample.json</c> are known to everyone: with them anyone
/// could forge manage links or call admin routes. The app refuses to start with them anywhere but a local run.
/// A run is not local when the App Service platform that hosts Azure Functions has set <c>WEBSITE_SITE_NAME</c>
/// or <c>WEBSITE_INSTANCE_ID</c>.
/// </summary>
public static class SampleKeys
{
    public const string SigningKey = "local-development-signing-key-change-me-0123456789";
    public const string AdminKey = "local-admin-key";

    public const string Refusal =
        "Tokens__SigningKey or Admin__ApiKey still holds the sample value from local.settings.sample.json; outside a local run set real secrets (Key Vault).";

    public static bool IsLocalRun(IConfiguration configuration) =>
        string.IsNullOrEmpty(configuration["WEBSITE_SITE_NAME"]) && string.IsNullOrEmpty(configuration["WEBSITE_INSTANCE_ID"]);

    public static bool NotUsedOutsideLocalRuns(TokenOptions tokens, IConfiguration configuration) =>
        IsLocalRun(configuration)
        || (!tokens.SigningKey.Contains(SigningKey, StringComparison.Ordinal)
            && !tokens.PreviousSigningKeys.Contains(SigningKey, StringComparison.Ordinal)
            && configuration["Admin:ApiKey"] != AdminKey);
}
