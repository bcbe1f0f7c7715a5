using System.Text.RegularExpressions;

namespace Alerts.Core.Tests.Infra;

/// <summary>Just enough Bicep reading for the drift tests: parameter declarations, module calls and brace blocks.</summary>
internal static partial class BicepText
{
    public sealed record Parameter(string Name, string Type, string? Default);

    public sealed record ModuleCall(string Symbol, string Path, IReadOnlyDictionary<string, string> Params);

    public static IReadOnlyList<Parameter> Parameters(string bicep) =>
        ParamDeclaration().Matches(bicep)
            .Select(m => new Parameter(m.Groups["name"].Value, m.Groups["type"].Value,
                m.Groups["default"].Success ? m.Groups["default"].Value.Trim() : null))
            .ToList();

    /// <summary>Every <c>module x 'modules/y.bicep' = { ... params: { a: b } }</c> with its assigned parameters.</summary>
    public static IReadOnlyList<ModuleCall> ModuleCalls(string bicep)
    {
        var calls = new List<ModuleCall>();
        foreach (Match module in ModuleDeclaration().Matches(bicep))
        {
            var body = Block(bicep, module.Index);
            var paramsAt = body.IndexOf("params: {", StringComparison.Ordinal);
            var assigned = new Dictionary<string, string>(StringComparer.Ordinal);
            if (paramsAt >= 0)
            {
                var block = Block(body, paramsAt);
                var depth = 0;
                foreach (var line in block.Split('\n').Skip(1))
                {
                    // Only the top level of the params object; nested objects' keys are values, not parameters.
                    if (depth == 0 && PropertyLine().Match(line) is { Success: true } property)
                        assigned[property.Groups["name"].Value] = property.Groups["value"].Value.Trim();
                    depth += line.Count(c => c is '{' or '[') - line.Count(c => c is '}' or ']');
                }
            }
            calls.Add(new ModuleCall(module.Groups["symbol"].Value, module.Groups["path"].Value, assigned));
        }
        return calls;
    }

    /// <summary>Text from <paramref name="start"/> to the brace that closes the first one after it.</summary>
    public static string Block(string text, int start)
    {
        var depth = 0;
        for (var i = text.IndexOf('{', start); i >= 0 && i < text.Length; i++)
        {
            depth += text[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
                return text[start..(i + 1)];
        }
        throw new InvalidOperationException("Unbalanced braces.");
    }

    [GeneratedRegex(@"^param (?<name>\w+) (?<type>\w+)(?: = (?<default>.+))?\s*$", RegexOptions.Multiline)]
    private static partial Regex ParamDeclaration();

    [GeneratedRegex(@"^module (?<symbol>\w+) '(?<path>[^']+)' = (?:if \(.+?\) )?\{", RegexOptions.Multiline)]
    private static partial Regex ModuleDeclaration();

    [GeneratedRegex(@"^\s*(?<name>\w+)\s*:\s*(?<value>.+?)\s*$")]
    private static partial Regex PropertyLine();
}
