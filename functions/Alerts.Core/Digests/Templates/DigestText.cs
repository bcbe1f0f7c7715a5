using System.Text;

namespace Alerts.Core.Digests.Templates;

/// <summary>The plain-text part of a digest: the same model as the HTML, for clients that show text.</summary>
public static class DigestText
{
    public static string Render(DigestEmailModel model)
    {
        var text = new StringBuilder();
        text.AppendLine(model.Subject).AppendLine();
        foreach (var section in model.Sections)
        {
            if (model.Grouped)
                text.AppendLine($"== {section.Title} ({Articles(section.Count)}) ==").AppendLine();
            foreach (var item in section.Items)
            {
                text.AppendLine("* " + Runs(item.Title));
                if (item.Link is { } link)
                    text.AppendLine("  " + link);
                text.AppendLine("  " + item.Source + " · " + item.Time);
                if (item.Why is { } why)
                    text.AppendLine("  Why: " + why);
                if (item.Snippet.Count > 0)
                    text.AppendLine("  " + Runs(item.Snippet));
                if (item.AlsoIn.Count > 0)
                    text.AppendLine("  Also in: " + string.Join(", ", item.AlsoIn.Select(o => o.Feed + (o.Link is { } l ? " <" + l + ">" : ""))));
                if (item.AlsoMatches.Count > 0)
                    text.AppendLine("  Also matches: " + Quoted(item.AlsoMatches));
                text.AppendLine();
            }
            if (section.More.Count > 0)
            {
                text.AppendLine($"{section.More.Count} more:");
                foreach (var line in section.More)
                    text.AppendLine("- " + line.Title + (line.Link is { } l ? " <" + l + ">" : "") + " (" + line.Feed + ")"
                        + (line.AlsoMatches.Count > 0 ? " — also matches: " + Quoted(line.AlsoMatches) : "")
                        + (line.Why is { } why ? " — why: " + why : ""));
                text.AppendLine();
            }
        }
        text.AppendLine("--");
        text.AppendLine($"You get this {model.Frequency} because you subscribed at {model.SiteName} to alerts for {model.Because}.");
        text.AppendLine("Manage your alerts (time, sites, pause, export): " + model.ManageUrl);
        if (model.Grouped)
            foreach (var unsubscribe in model.Unsubscribes)
                text.AppendLine($"Unsubscribe from {Email.FrequencyText.Quoted(unsubscribe.Title)}: " + unsubscribe.Url);
        else
            text.AppendLine("Unsubscribe: " + model.Unsubscribes[0].Url);
        return text.ToString();
    }

    internal static string Articles(int count) => $"{count} article{(count == 1 ? "" : "s")}";

    /// <summary>Hits between asterisks, the plain-text convention for emphasis.</summary>
    private static string Runs(IEnumerable<(string Text, bool Hit)> runs) =>
        System.Text.RegularExpressions.Regex.Replace(string.Concat(runs.Select(r => r.Hit ? "*" + r.Text + "*" : r.Text)), @"\s+", " ").Trim();

    private static string Quoted(IEnumerable<string> titles) => string.Join(", ", titles.Select(Email.FrequencyText.Quoted));
}
