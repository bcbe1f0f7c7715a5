using NCrontab;

namespace Alerts.LocalHost;

/// <summary>What the Functions timer trigger does: run the handler on the 6-field NCRONTAB schedule from settings (UTC).</summary>
public sealed class TimerRunner(
    LocalFunction function,
    IConfiguration configuration,
    IServiceProvider services,
    TimeProvider time,
    ILogger<TimerRunner> logger) : BackgroundService
{
    public static CrontabSchedule ParseSchedule(string expression) =>
        CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var expression = configuration[function.ScheduleSetting!]
            ?? throw new InvalidOperationException($"Setting '{function.ScheduleSetting}' (a 6-field NCRONTAB schedule) is missing.");
        var schedule = ParseSchedule(expression);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            try
            {
                await Task.Delay(next - now, time, stoppingToken);
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var activity = Alerts.Core.Storage.QueueMessages.StartTimer(function.Name);
            await using var scope = services.CreateAsyncScope();
            await function.TimerHandler!(scope.ServiceProvider, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Like the Functions host: a failed run waits for the next tick.
            logger.LogError(ex, "Timer {Function} failed", function.Name);
        }
    }
}
