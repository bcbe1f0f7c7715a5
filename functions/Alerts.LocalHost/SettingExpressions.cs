using System.Text.RegularExpressions;

namespace Alerts.LocalHost;

/// <summary>
/// Resolves <c>%Name%</c> in a trigger's text from app settings, as the Functions host does (e.g. a timer's
/// <c>%PollSchedule%</c> or a queue name); "__" in a name is configuration's ":" as in every app setting.
/// </summary>
public static partial class SettingExpressions
{
    public static string Resolve(string text, IConfiguration configuration, string function) =>
        Setting().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            return configuration[name.Replace("__", ":", StringComparison.Ordinal)] is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"Setting '{name}' (used by function {function} as '{text}') is missing.");
        });

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Setting();
}
