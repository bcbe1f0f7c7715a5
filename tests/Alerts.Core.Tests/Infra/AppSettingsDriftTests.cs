using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;
using NCrontab;

namespace Alerts.Core.Tests.Infra;

/// <summary>
/// Every setting the code reads must be set by the Bicep template, listed in local.settings.sample.json and
/// documented in the README, so adding an options property without deploying it fails here rather than in Azure.
/// </summary>
public class AppSettingsDriftTests
{
    [Fact]
    public void Reflection_finds_the_options_sections()
    {
        // Guards the discovery itself: if it silently found nothing, every drift test below would pass.
        var sections = InfraFiles.OptionsSections().Select(o => o.Section).ToList();
        Assert.Superset(new HashSet<string> { "Smtp", "Tokens", "Site", "Feeds" }, sections.ToHashSet());
        Assert.Equal(sections.Count, sections.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains("Smtp__Host", InfraFiles.OptionsSettings());
        Assert.Contains("Tokens__SigningKey", InfraFiles.OptionsSettings());
        Assert.DoesNotContain("Smtp__EffectiveListIdDomain", InfraFiles.OptionsSettings());
    }

    [Fact]
    public void Every_setting_the_code_reads_is_in_the_bicep_app_settings()
    {
        var bicep = InfraFiles.BicepAppSettings();
        var missing = InfraFiles.SettingsExpectedInAzure().Where(s => !bicep.ContainsKey(s)).ToList();
        Assert.True(missing.Count == 0,
            "Add to the app-settings block in infra/modules/function-app.bicep: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_setting_the_code_reads_is_in_local_settings_sample()
    {
        var values = InfraFiles.LocalSettingsValues();
        var missing = InfraFiles.SettingsExpectedLocally().Where(s => !values.ContainsKey(s)).ToList();
        Assert.True(missing.Count == 0, "Add to local.settings.sample.json Values: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_setting_is_documented_in_the_readme_configuration_table()
    {
        var documented = InfraFiles.ReadmeConfigurationSettings();
        var expected = InfraFiles.SettingsExpectedInAzure().Concat(InfraFiles.SettingsExpectedLocally())
            .Append("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")
            .Distinct(StringComparer.OrdinalIgnoreCase);
        var missing = expected.Where(s => !documented.Contains(s)).ToList();
        Assert.True(missing.Count == 0,
            "Add rows to the README table between <!-- configuration:start/end -->: " + string.Join(", ", missing));
    }

    [Fact]
    public void Local_settings_sample_is_a_valid_local_settings_file()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "local.settings.sample.json")));
        var root = document.RootElement;
        Assert.False(root.GetProperty("IsEncrypted").GetBoolean());
        Assert.Equal(7071, root.GetProperty("Host").GetProperty("LocalHttpPort").GetInt32());
        // Core Tools and the local host only take string values.
        foreach (var value in root.GetProperty("Values").EnumerateObject())
            Assert.True(value.Value.ValueKind == JsonValueKind.String, $"Values.{value.Name} must be a string.");
    }

    [Theory]
    [InlineData("Smtp__Password")]
    [InlineData("Tokens__SigningKey")]
    [InlineData("Tokens__PreviousSigningKeys")]
    public void Secrets_are_key_vault_references(string setting)
    {
        var bicep = InfraFiles.BicepAppSettings();
        Assert.True(bicep.TryGetValue(setting, out var value), $"{setting} is not in the Bicep app settings.");
        Assert.StartsWith("'@Microsoft.KeyVault(SecretUri=", value);
        // References resolve with the identity that has Key Vault Secrets User, not a system identity.
        Assert.Contains("keyVaultReferenceIdentity: identityId", InfraFiles.ReadInfra("modules/function-app.bicep"));
    }

    [Fact]
    public void In_azure_the_admin_key_is_the_hosts_so_the_app_setting_is_empty()
    {
        // The admin functions are AuthorizationLevel.Function: the host checks its keys. An Admin__ApiKey in Azure would
        // make AdminKey demand that the host key also equal it, so every admin call would answer 401.
        Assert.Equal("''", InfraFiles.BicepAppSettings()["Admin__ApiKey"]);
        var functions = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "functions", "Alerts.Functions", "AdminFunctions.cs"));
        Assert.DoesNotContain("AuthorizationLevel.Admin", functions);
        Assert.DoesNotContain("AuthorizationLevel.Anonymous", functions);
        Assert.Contains("AuthorizationLevel.Function", functions);
        Assert.DoesNotContain("admin-api-key", InfraFiles.ReadInfra("modules/keyvault.bicep"));
    }

    [Theory]
    // Flex Consumption takes the runtime from functionAppConfig and rejects these.
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    [InlineData("WEBSITE_RUN_FROM_PACKAGE")]
    // Shared keys are disabled on the storage account, so a connection string cannot work.
    [InlineData("AzureWebJobsStorage")]
    public void Bicep_does_not_set(string setting) =>
        Assert.False(InfraFiles.BicepAppSettings().ContainsKey(setting), $"{setting} must not be set on the Flex Consumption app.");

    [Fact]
    public void Schedules_are_six_field_ncrontab_in_bicep_defaults_and_local_settings()
    {
        var main = InfraFiles.ReadInfra("main.bicep");
        var local = InfraFiles.LocalSettingsValues();
        foreach (var (setting, param) in new[] { (ScheduleSettings.Poll, "pollSchedule"), (ScheduleSettings.Digest, "digestSchedule"),
                     (ScheduleSettings.UnsubscribeMailbox, "unsubscribeMailboxSchedule"), (ScheduleSettings.IndexSnapshot, "indexSnapshotSchedule") })
        {
            var bicepDefault = Regex.Match(main, $@"param {param} string = '(?<cron>[^']+)'");
            Assert.True(bicepDefault.Success, $"main.bicep has no default for {param}.");
            foreach (var cron in new[] { bicepDefault.Groups["cron"].Value, local[setting]! })
            {
                Assert.Equal(6, cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
                CrontabSchedule.Parse(cron, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
            }
        }
    }

    [Fact]
    public void Option_values_in_bicep_and_local_settings_convert_to_the_property_types()
    {
        // The configuration binder converts with the type's TypeConverter; a value like "20" for a TimeSpan
        // binds as 20 days, and "abc" for an int fails only at startup in Azure.
        var bicep = InfraFiles.BicepAppSettings();
        var local = InfraFiles.LocalSettingsValues();
        var failures = new List<string>();
        foreach (var (type, section) in InfraFiles.OptionsSections())
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var name = $"{section}__{property.Name}";
            var candidates = new List<(string Source, string Value)>();
            if (local.TryGetValue(name, out var localValue) && !string.IsNullOrEmpty(localValue))
                candidates.Add(("local.settings.sample.json", localValue));
            // Only plain literals; expressions and Key Vault references are resolved in Azure.
            if (bicep.TryGetValue(name, out var bicepValue) && Regex.Match(bicepValue, @"^'(?<v>[^'$]+)'$") is { Success: true } literal)
                candidates.Add(("function-app.bicep", literal.Groups["v"].Value));
            foreach (var (source, value) in candidates)
            {
                try
                {
                    var converted = TypeDescriptor.GetConverter(property.PropertyType).ConvertFromInvariantString(value);
                    if (converted is TimeSpan span && !value.Contains(':'))
                        failures.Add($"{source} {name}='{value}' is {span}; write TimeSpans as [d.]hh:mm:ss.");
                }
                catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException)
                {
                    failures.Add($"{source} {name}='{value}': {ex.Message}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
