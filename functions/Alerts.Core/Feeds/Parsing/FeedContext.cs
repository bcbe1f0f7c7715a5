namespace Alerts.Core.Feeds.Parsing;

/// <summary>What every format mapper is given: the fetched URL (base of relative links), the item cap, the budget.</summary>
internal sealed record FeedContext(Uri? DocumentUrl, int MaxItems, ParseBudget Budget);
