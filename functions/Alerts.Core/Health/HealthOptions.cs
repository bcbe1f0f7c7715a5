using System.ComponentModel.DataAnnotations;

namespace Alerts.Core.Health;

public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>How long each dependency may take to answer; the whole check answers within this (under 2 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:01.800")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A pipeline queue whose oldest visible message is older than this is stalled: unhealthy.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan MaxQueueAge { get; set; } = TimeSpan.FromMinutes(15);
}
