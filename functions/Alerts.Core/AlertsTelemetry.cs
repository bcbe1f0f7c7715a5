using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Alerts.Core;

/// <summary>
/// One ActivitySource and one Meter for the whole pipeline. The Functions worker exports them with OpenTelemetry;
/// the local host shows the same counters on its admin metrics endpoint.
/// </summary>
public static class AlertsTelemetry
{
    public const string SourceName = "Alerts";
    public const string MeterName = "Alerts";

    public static readonly ActivitySource Source = new(SourceName);
    public static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> FeedsPolled = Meter.CreateCounter<long>("alerts.feeds.polled", description: "Feed fetches attempted");
    public static readonly Counter<long> FeedsNotModified = Meter.CreateCounter<long>("alerts.feeds.not_modified", description: "Fetches answered 304 or with unchanged content");
    public static readonly Counter<long> FetchErrors = Meter.CreateCounter<long>("alerts.feeds.errors", description: "Failed fetches, tagged by kind");
    public static readonly Counter<long> NewArticles = Meter.CreateCounter<long>("alerts.articles.new", description: "Articles stored for the first time");
    public static readonly Counter<long> Matches = Meter.CreateCounter<long>("alerts.matches", description: "Subscription matches recorded");
    public static readonly Counter<long> DigestsSent = Meter.CreateCounter<long>("alerts.digests.sent", description: "Alert and digest emails accepted by the SMTP server");
    public static readonly Histogram<double> QueueAge = Meter.CreateHistogram<double>("alerts.queue.age", unit: "s", description: "Time a message waited in its queue");
    public static readonly Histogram<double> DuplicateWindow = Meter.CreateHistogram<double>("alerts.digests.duplicate_window", unit: "ms", description: "Time from the SMTP server's acceptance to the Sent record (a crash inside it can duplicate the email)");
    public static readonly Counter<long> HitsDropped = Meter.CreateCounter<long>("alerts.matches.hits_dropped", description: "Hits not stored because a match had more than the cap");
    public static readonly Counter<long> MatchWritesFailed = Meter.CreateCounter<long>("alerts.matches.write_failures", description: "Match rows that could not be stored and were dropped");
    public static readonly Counter<long> LateMatchesDropped = Meter.CreateCounter<long>("alerts.matches.late_dropped", description: "Matches left out of a digest because the article was first seen before the subscription was made");
    public static readonly Counter<long> SendFailures = Meter.CreateCounter<long>("alerts.digests.send_failures", description: "Emails the SMTP server did not accept");
}
