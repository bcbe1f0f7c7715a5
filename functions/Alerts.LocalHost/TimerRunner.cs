using Alerts.Functions;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace Alerts.LocalHost;

/// <summary>
/// What the Functions timer trigger does: run the function on its 6-field NCRONTAB schedule (UTC), the attribute's
/// <c>%Setting%</c> resolved from settings; <c>RunOnStartup</c> runs it once when the host starts.
/// </summary>
public sealed class TimerRunner(
    FunctionInvoker function,
    IConfiguration configuration,
    IServiceProvider services,
    TimeProvider time,
    ILogger<TimerRunner> logger) : BackgroundService
{
    /// <summary>The schedule the trigger names, its <c>%Setting%</c> resolved; a missing setting stops the host starting.</summary>
    public string Expression { get; } = SettingExpressions.Resolve(function.Function.Schedule!, configuration, function.Function.Name);

    public DeclaredFunction Function => function.Function;

    public static CrontabSchedule ParseSchedule(string expression) =>
        CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = ParseSchedule(Expression);
        var last = (DateTime?)null;
        if (Function.RunOnStartup)
            last = await RunAsync(schedule, last, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            try
            {
                await Task.Delay(next - now, time, stoppingToken);
                last = await RunAsync(schedule, last, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<DateTime> RunAsync(CrontabSchedule schedule, DateTime? last, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await RunOnceAsync(new TimerInfo
        {
            ScheduleStatus = new ScheduleStatus { Last = last ?? default, Next = schedule.GetNextOccurrence(now), LastUpdated = now },
        }, cancellationToken);
        return now;
    }

    /// <summary>One run, as a tick of the schedule; a failure is logged and waits for the next tick, as in Azure.</summary>
    public async Task RunOnceAsync(TimerInfo timer, CancellationToken cancellationToken)
    {
        try
        {
            // The function itself starts the timer activity (QueueMessages.StartTimer), as in Azure.
            await using var scope = services.CreateAsyncScope();
            await function.InvokeAsync(scope.ServiceProvider, new TriggerInput(Timer: timer), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Timer {Function} failed", Function.Name);
        }
    }
}
