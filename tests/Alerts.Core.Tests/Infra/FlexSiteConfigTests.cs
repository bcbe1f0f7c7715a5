using System.Text.RegularExpressions;

namespace Alerts.Core.Tests.Infra;

/// <summary>
/// The function app is a Flex Consumption site, which rejects (ARM error 51021) or ignores many App Service site
/// properties and app settings ("Flex Consumption plan deprecations" in the Functions app settings reference). None of
/// them may appear in the site resource or its app settings; the runtime and scale live in functionAppConfig.
/// </summary>
public class FlexSiteConfigTests
{
    private static readonly string App = InfraFiles.ReadInfra("modules/function-app.bicep");

    private static string Site()
    {
        var start = App.IndexOf("resource functionApp 'Microsoft.Web/sites@", StringComparison.Ordinal);
        Assert.True(start >= 0, "function-app.bicep has no Microsoft.Web/sites resource named functionApp.");
        return BicepText.Block(App, start);
    }

    /// <summary>Property lines of the site resource, comments stripped (a comment may name what is left out).</summary>
    private static IReadOnlyList<string> SiteProperties() =>
        Site().Split('\n').Select(l => Regex.Replace(l, "//.*$", "").Trim()).Where(l => l.Length > 0).ToList();

    [Theory]
    [InlineData("ftpsState")]
    [InlineData("linuxFxVersion")]
    [InlineData("netFrameworkVersion")]
    [InlineData("alwaysOn")]
    [InlineData("use32BitWorkerProcess")]
    [InlineData("functionAppScaleLimit")]
    [InlineData("preWarmedInstanceCount")]
    [InlineData("minimumElasticInstanceCount")]
    [InlineData("javaVersion")]
    [InlineData("powerShellVersion")]
    [InlineData("appSettings")]
    [InlineData("containerSize")]
    public void The_site_sets_no_property_flex_rejects(string property) =>
        Assert.DoesNotContain(SiteProperties(), l => l.StartsWith(property + ":", StringComparison.Ordinal));

    [Theory]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_WORKER_RUNTIME_VERSION")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    [InlineData("FUNCTIONS_MAX_HTTP_CONCURRENCY")]
    [InlineData("FUNCTIONS_WORKER_PROCESS_COUNT")]
    [InlineData("FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED")]
    [InlineData("SCM_DO_BUILD_DURING_DEPLOYMENT")]
    [InlineData("ENABLE_ORYX_BUILD")]
    [InlineData("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING")]
    [InlineData("WEBSITE_CONTENTSHARE")]
    [InlineData("WEBSITE_CONTENTOVERVNET")]
    [InlineData("WEBSITE_RUN_FROM_PACKAGE")]
    [InlineData("WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT")]
    [InlineData("WEBSITE_NODE_DEFAULT_VERSION")]
    [InlineData("WEBSITE_SKIP_CONTENTSHARE_VALIDATION")]
    [InlineData("WEBSITE_VNET_ROUTE_ALL")]
    [InlineData("WEBSITE_DNS_SERVER")]
    [InlineData("WEBSITE_TIME_ZONE")]
    [InlineData("TZ")]
    public void No_app_setting_flex_rejects_is_set(string setting)
    {
        Assert.False(InfraFiles.BicepAppSettings().ContainsKey(setting), $"{setting} must not be set on a Flex Consumption app.");
        Assert.DoesNotContain(setting + ":", Regex.Replace(App, "//.*", ""));
    }

    [Fact]
    public void Runtime_and_scale_are_in_function_app_config_on_an_fc1_plan()
    {
        var site = Site();
        Assert.Contains("name: 'dotnet-isolated'", site);
        Assert.Contains("version: '10.0'", site);
        Assert.Contains("maximumInstanceCount: maximumInstanceCount", site);
        Assert.Contains("instanceMemoryMB: instanceMemoryMB", site);
        Assert.Contains("type: 'blobContainer'", site);
        Assert.Contains("kind: 'functionapp,linux'", site);
        Assert.Contains("name: 'FC1'", App);
        Assert.Contains("tier: 'FlexConsumption'", App);
        // FTP and SCM basic auth are turned off by their own resources, since ftpsState is not available.
        Assert.Matches(@"basicPublishingCredentialsPolicies@[^']+' = \{\s*parent: functionApp\s*name: 'ftp'\s*properties: \{\s*allow: false", App);
    }

    [Fact]
    public void The_reader_sees_the_site_properties()
    {
        // Guards the tests above: if the block reader returned nothing, every DoesNotContain would pass.
        var properties = SiteProperties();
        Assert.Contains(properties, l => l.StartsWith("minTlsVersion:", StringComparison.Ordinal));
        Assert.Contains(properties, l => l.StartsWith("keyVaultReferenceIdentity:", StringComparison.Ordinal));
    }
}
