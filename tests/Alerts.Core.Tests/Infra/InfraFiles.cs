using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Infra;

/// <summary>
/// Reads the deployment files as text (no Bicep CLI in tests; infra/bicep.sh builds and lints in CI)
/// and lists the settings the code reads, so the drift tests can compare the two.
/// </summary>
internal static partial class InfraFiles
{
    public static string InfraDirectory => Path.Combine(RepositoryRoot.Path, "infra");

    public static string ReadInfra(string relativePath) => File.ReadAllText(Path.Combine(InfraDirectory, relativePath));

    /// <summary>Settings bound from options classes: every public class with <c>public const string Section</c>.</summary>
    public static IReadOnlyList<string> OptionsSettings() =>
        OptionsSections()
            .SelectMany(o => o.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true })
                .Select(p => $"{o.Section}__{p.Name}"))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static IReadOnlyList<(Type Type, string Section)> OptionsSections() =>
        typeof(AlertsStorage).Assembly.GetExportedTypes()
            .Where(t => t.IsClass)
            .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)))
            .Where(x => x.Field is { IsLiteral: true } f && f.FieldType == typeof(string))
            .Select(x => (x.Type, Section: (string)x.Field!.GetRawConstantValue()!))
            .ToList();

    /// <summary>Settings read directly (not through options): schedules, telemetry and the credential's client id.</summary>
    public static IReadOnlyList<string> DirectSettings { get; } =
    [
        ScheduleSettings.Poll,
        ScheduleSettings.Digest,
        ScheduleSettings.UnsubscribeMailbox,
        ScheduleSettings.IndexSnapshot,
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "AZURE_CLIENT_ID",
    ];

    /// <summary>In Azure, storage is identity-based; AlertsStorage.FromConfiguration and the host read these.</summary>
    public static IReadOnlyList<string> IdentityStorageSettings { get; } =
    [
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "AzureWebJobsStorage__blobServiceUri",
        "AzureWebJobsStorage__queueServiceUri",
        "AzureWebJobsStorage__tableServiceUri",
    ];

    /// <summary>Locally, storage is a connection string (Azurite).</summary>
    public const string LocalStorageSetting = "AzureWebJobsStorage";

    public static IReadOnlyList<string> SettingsExpectedInAzure() =>
        [.. OptionsSettings(), .. DirectSettings, .. IdentityStorageSettings];

    public static IReadOnlyList<string> SettingsExpectedLocally() =>
        [.. OptionsSettings(), .. DirectSettings, LocalStorageSetting];

    /// <summary>
    /// The app settings object in infra/modules: one <c>Name: value</c> per line between
    /// <c>// app-settings:start</c> and <c>// app-settings:end</c>, in exactly one module.
    /// </summary>
    public static IReadOnlyDictionary<string, string> BicepAppSettings()
    {
        var blocks = Directory.GetFiles(Path.Combine(InfraDirectory, "modules"), "*.bicep")
            .Select(f => (File: f, Text: File.ReadAllText(f)))
            .Select(x => (x.File, Match: AppSettingsBlock().Match(x.Text)))
            .Where(x => x.Match.Success)
            .ToList();
        Assert.True(blocks.Count == 1,
            $"Expected the app-settings markers in exactly one infra/modules/*.bicep, found {blocks.Count}.");

        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in blocks[0].Match.Groups["body"].Value.Split('\n'))
        {
            var match = BicepProperty().Match(line);
            if (match.Success)
                settings[match.Groups["name"].Value] = match.Groups["value"].Value.Trim();
        }
        return settings;
    }

    public static IReadOnlyDictionary<string, string?> LocalSettingsValues()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "local.settings.sample.json")));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null,
                StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>First-column names (backticks stripped) of the Markdown table between the configuration markers.</summary>
    public static IReadOnlySet<string> ReadmeConfigurationSettings()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        var section = ReadmeConfigurationSection().Match(readme);
        Assert.True(section.Success, "README.md has no <!-- configuration:start --> ... <!-- configuration:end --> section.");
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in section.Groups["body"].Value.Split('\n'))
        {
            var row = MarkdownFirstCell().Match(line);
            if (row.Success)
                names.Add(row.Groups["name"].Value);
        }
        return names;
    }

    [GeneratedRegex(@"//\s*app-settings:start(?<body>.*?)//\s*app-settings:end", RegexOptions.Singleline)]
    private static partial Regex AppSettingsBlock();

    // Bicep object keys: bare identifiers, or quoted keys for names that are not identifiers.
    [GeneratedRegex(@"^\s*(?:'(?<name>[^']+)'|(?<name>[A-Za-z_][A-Za-z0-9_]*))\s*:\s*(?<value>.+)$")]
    private static partial Regex BicepProperty();

    [GeneratedRegex(@"<!--\s*configuration:start\s*-->(?<body>.*?)<!--\s*configuration:end\s*-->", RegexOptions.Singleline)]
    private static partial Regex ReadmeConfigurationSection();

    [GeneratedRegex(@"^\s*\|\s*`(?<name>[^`|]+)`\s*\|")]
    private static partial Regex MarkdownFirstCell();
}
