using System.Text.Json;
using System.Text.RegularExpressions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Infra;

/// <summary>
/// Everything a module can be configured with is reachable from `azd env set`: each module parameter is assigned in
/// main.bicep (a module default would hide it, as it once hid adminAlertEmail), and each main.bicep parameter is
/// read from an environment variable in main.parameters.json.
/// </summary>
public partial class DeployParameterTests
{
    private static readonly string Main = InfraFiles.ReadInfra("main.bicep");

    /// <summary>Parameters whose default is a fresh random value: never set from outside, by design.</summary>
    private static bool IsGenerated(BicepText.Parameter p) => p.Default?.Contains("newGuid()", StringComparison.Ordinal) == true;

    private static IReadOnlyDictionary<string, string> ParameterFileValues()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(InfraFiles.InfraDirectory, "main.parameters.json")));
        return document.RootElement.GetProperty("parameters").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("value").GetString()!, StringComparer.Ordinal);
    }

    public static TheoryData<string> Modules =>
        new(BicepText.ModuleCalls(InfraFiles.ReadInfra("main.bicep")).Select(m => m.Symbol));

    [Fact]
    public void Main_bicep_calls_every_module_in_the_modules_folder()
    {
        var called = BicepText.ModuleCalls(Main).Select(m => Path.GetFileName(m.Path)).ToHashSet();
        var files = Directory.GetFiles(Path.Combine(InfraFiles.InfraDirectory, "modules"), "*.bicep").Select(Path.GetFileName);
        var uncalled = files.Where(f => !called.Contains(f!)).ToList();
        Assert.True(uncalled.Count == 0, "Modules main.bicep never calls: " + string.Join(", ", uncalled));
        Assert.True(called.Count >= 6, "The module reader found too few module calls to be trusted.");
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void Every_parameter_of_the_module_is_assigned_in_main_bicep(string symbol)
    {
        var call = BicepText.ModuleCalls(Main).Single(m => m.Symbol == symbol);
        var declared = BicepText.Parameters(InfraFiles.ReadInfra(call.Path));
        Assert.NotEmpty(declared);
        var unassigned = declared.Where(p => !call.Params.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        Assert.True(unassigned.Count == 0, $"module {symbol} ({call.Path}) leaves these to their defaults, so no azd variable reaches them: "
            + string.Join(", ", unassigned));
        var unknown = call.Params.Keys.Where(k => declared.All(p => p.Name != k)).ToList();
        Assert.True(unknown.Count == 0, $"module {symbol} is given parameters it does not declare: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Every_main_bicep_parameter_is_read_from_an_azd_environment_variable()
    {
        var values = ParameterFileValues();
        var failures = new List<string>();
        foreach (var p in BicepText.Parameters(Main).Where(p => !IsGenerated(p)))
        {
            if (!values.TryGetValue(p.Name, out var value))
                failures.Add($"{p.Name} is not in main.parameters.json");
            else if (!EnvironmentReference().IsMatch(value))
                failures.Add($"{p.Name} = '{value}' reads no ${{VARIABLE}}");
        }
        foreach (var name in values.Keys.Where(n => BicepText.Parameters(Main).All(p => p.Name != n)))
            failures.Add($"main.parameters.json sets {name}, which main.bicep does not declare");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void An_unset_variable_keeps_the_bicep_default_instead_of_blanking_it()
    {
        // azd substitutes an unset ${X} with "", which overrides the Bicep default; ${X=default} does not.
        var values = ParameterFileValues();
        var failures = new List<string>();
        foreach (var p in BicepText.Parameters(Main))
        {
            if (p.Default is not { } d || Regex.Match(d, "^'(?<v>[^']+)'$") is not { Success: true } literal || !values.TryGetValue(p.Name, out var value))
                continue;
            var expected = literal.Groups["v"].Value;
            var match = Regex.Match(value, @"^\$\{(?<var>\w+)=(?<default>[^}]*)\}$");
            if (!match.Success || match.Groups["default"].Value != expected)
                failures.Add($"{p.Name}: main.parameters.json has '{value}', expected ${{SOME_VARIABLE={expected}}}");
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void Admin_alert_email_goes_from_an_azd_variable_to_the_app_setting()
    {
        Assert.Equal("${ADMIN_ALERT_EMAIL}", ParameterFileValues()["adminAlertEmail"]);
        var call = BicepText.ModuleCalls(Main).Single(m => m.Symbol == "functionApp");
        Assert.Equal("adminAlertEmail", call.Params["adminAlertEmail"]);
        Assert.Equal("adminAlertEmail", InfraFiles.BicepAppSettings()["Admin__AlertEmail"]);
    }

    [Fact]
    public void Deployer_role_assignments_take_the_principal_type_from_a_parameter()
    {
        var rbac = InfraFiles.ReadInfra("modules/rbac.bicep");
        var userAssignments = Regex.Matches(rbac, @"principalId: userPrincipalId\s*\n\s*principalType: (?<type>\S+)");
        Assert.Equal(3, userAssignments.Count);
        Assert.All(userAssignments, m => Assert.Equal("userPrincipalType", m.Groups["type"].Value));
        Assert.Equal("principalType", BicepText.ModuleCalls(Main).Single(m => m.Symbol == "rbac").Params["userPrincipalType"]);
        Assert.Equal("${AZURE_PRINCIPAL_TYPE=User}", ParameterFileValues()["principalType"]);
    }

    [Fact]
    public void Key_vault_has_purge_protection_and_a_name_that_a_deleted_vault_cannot_hold()
    {
        var vault = InfraFiles.ReadInfra("modules/keyvault.bicep");
        Assert.Contains("enablePurgeProtection: true", vault);
        Assert.Contains("enableSoftDelete: true", vault);
        var call = BicepText.ModuleCalls(Main).Single(m => m.Symbol == "keyVault");
        // A new vault's name carries a random salt; an existing one is kept through AZURE_KEY_VAULT_NAME ...
        Assert.Contains("keyVaultNameSalt", call.Params["name"]);
        Assert.StartsWith("empty(keyVaultName) ?", call.Params["name"]);
        Assert.True(IsGenerated(BicepText.Parameters(Main).Single(p => p.Name == "keyVaultNameSalt")));
        Assert.Equal("${AZURE_KEY_VAULT_NAME}", ParameterFileValues()["keyVaultName"]);
        Assert.Contains("output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name", Main);
        // ... which `azd down` forgets, so the next `azd up` does not collide with the soft-deleted vault.
        var azureYaml = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "azure.yaml"));
        Assert.Matches(@"postdown:\s*\n\s*posix:\s*\n\s*shell: sh\s*\n\s*run: azd env set AZURE_KEY_VAULT_NAME """"", azureYaml);
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        Assert.Contains("`azd down --purge`", readme);
    }

    [Fact]
    public void The_key_vault_name_fits_the_24_character_limit()
    {
        // 'kv-' + uniqueString (always 13 characters) + '-' + 4 characters of the salt = 21 of the 24 allowed.
        var call = BicepText.ModuleCalls(Main).Single(m => m.Symbol == "keyVault");
        var name = Regex.Match(call.Params["name"], @"'(?<template>kv-[^']+)'").Groups["template"].Value;
        Assert.Equal("kv-${resourceToken}-${take(uniqueString(keyVaultNameSalt), 4)}", name);
        Assert.Contains("var resourceToken = toLower(uniqueString(", Main);
    }

    [GeneratedRegex(@"\$\{[A-Z_][A-Z0-9_]*(=[^}]*)?\}")]
    private static partial Regex EnvironmentReference();
}
