namespace Alerts.Core.Tests.Infrastructure;

/// <summary>
/// Tests that measure real-time gaps between "instances" living in this one process run alone, after every other
/// collection, on their own Azurite. Instances in one process share its GC pauses and thread pool: a blocking
/// collection of another test's large heap (348 ms measured beside the pacing test) stops them all at once, and two
/// starts booked 300 ms apart are then seen 0 to 140 ms apart. Instances in production are separate processes, which do
/// not pause together (<c>MultiInstanceTests</c> runs three).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "timing";
}
