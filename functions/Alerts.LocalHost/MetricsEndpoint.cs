using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Alerts.Core;

namespace Alerts.LocalHost;

/// <summary>
/// The pipeline's metrics (the same instruments the Functions app exports with OpenTelemetry) in the Prometheus text
/// format at <c>/metrics</c>, so the local host shows what Application Insights would.
/// </summary>
public sealed class MetricsEndpoint : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), double> _sums = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), long> _counts = new();

    public MetricsEndpoint()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AlertsTelemetry.MeterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new StringBuilder();
        foreach (var tag in tags)
            labels.Append(labels.Length == 0 ? "" : ",").Append(Name(tag.Key)).Append("=\"")
                .Append(Convert.ToString(tag.Value, CultureInfo.InvariantCulture)?.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
        var key = (instrument.Name, labels.ToString());
        _sums.AddOrUpdate(key, value, (_, sum) => sum + value);
        _counts.AddOrUpdate(key, 1, (_, count) => count + 1);
    }

    /// <summary>Counters as <c>_total</c>; histograms as <c>_sum</c> and <c>_count</c>.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        foreach (var group in _sums.GroupBy(kv => kv.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var isHistogram = group.Key == "alerts.queue.age";
            var name = Name(group.Key);
            text.Append("# TYPE ").Append(name).Append(isHistogram ? " summary\n" : "_total counter\n");
            foreach (var (key, sum) in group.OrderBy(kv => kv.Key.Tags, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)))
            {
                var labels = key.Tags.Length == 0 ? "" : "{" + key.Tags + "}";
                if (isHistogram)
                {
                    text.Append(name).Append("_sum").Append(labels).Append(' ').Append(sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    text.Append(name).Append("_count").Append(labels).Append(' ').Append(_counts[key]).Append('\n');
                }
                else
                    text.Append(name).Append("_total").Append(labels).Append(' ').Append(sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        return text.ToString();
    }

    private static string Name(string name) => name.Replace('.', '_').Replace('-', '_');

    public void Dispose() => _listener.Dispose();
}
