using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Core.Tests.Infra;

/// <summary>
/// Flex Consumption scales each function group up to <c>maximumInstanceCount</c>, so the Bicep scale settings and the
/// limits that must hold for the whole service are tied together here: the scale block is wired to parameters azd can
/// set, Azure deploys a global send rate no higher than Azure Communication Services' default limits, and the README's
/// figures (instance cap, queue concurrency per instance) are the ones Bicep and host.json use.
/// </summary>
public class FlexScalingTests
{
    private static readonly string App = InfraFiles.ReadInfra("modules/function-app.bicep");
    private static readonly string Main = InfraFiles.ReadInfra("main.bicep");

    private static string ScaleBlock()
    {
        var at = App.IndexOf("scaleAndConcurrency: {", StringComparison.Ordinal);
        Assert.True(at >= 0, "function-app.bicep sets no functionAppConfig.scaleAndConcurrency.");
        return BicepText.Block(App, at);
    }

    private static int MainDefault(string name)
    {
        var parameter = BicepText.Parameters(Main).Single(p => p.Name == name);
        return int.Parse(parameter.Default!.Trim('\''), CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("maximumInstanceCount", "maximumInstanceCount")]
    [InlineData("instanceMemoryMB", "instanceMemoryMB")]
    [InlineData("perInstanceConcurrency", "httpPerInstanceConcurrency")]
    public void The_scale_block_takes_each_knob_from_a_parameter(string property, string parameter)
    {
        Assert.Matches(new Regex($@"\b{property}: {parameter}\b"), ScaleBlock());
        Assert.Contains(BicepText.Parameters(App), p => p.Name == parameter && p.Type == "int");
    }

    [Fact]
    public void The_default_instance_cap_and_http_concurrency_are_within_what_flex_accepts()
    {
        // Flex Consumption: 1 to 1,000 instances per function group; HTTP concurrency 1 to 1,000 per instance.
        Assert.InRange(MainDefault("maximumInstanceCount"), 1, 1000);
        Assert.InRange(MainDefault("httpPerInstanceConcurrency"), 1, 1000);
    }

    [Fact]
    public void Azure_gets_a_global_send_rate_at_or_below_the_acs_default_limits()
    {
        // However many SendDigest instances Flex starts, they share these buckets.
        Assert.InRange(MainDefault("sendRatePerMinute"), 1, 30);
        Assert.InRange(MainDefault("sendRatePerHour"), 1, 100);
        Assert.Contains("SendRate__PerMinute: string(sendRatePerMinute)", App);
        Assert.Contains("SendRate__PerHour: string(sendRatePerHour)", App);
    }

    [Fact]
    public void The_limits_that_must_not_multiply_with_instances_are_held_in_storage()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" }).Build();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddAlertsCore(configuration);
        Assert.Contains(services, d => d.ServiceType == typeof(Alerts.Core.Feeds.SharedHostSlots));
        Assert.Contains(services, d => d.ServiceType == typeof(Alerts.Core.Email.SendRateLimiter));
        // The throttle and the sender take them when they are registered.
        Assert.Contains(typeof(Alerts.Core.Feeds.HostThrottle).GetConstructors().Single().GetParameters(), p => p.ParameterType == typeof(Alerts.Core.Feeds.SharedHostSlots));
        Assert.Contains(typeof(Alerts.Core.Digests.DigestSendHandler).GetConstructors().Single().GetParameters(), p => p.ParameterType == typeof(Alerts.Core.Email.SendRateLimiter));
    }

    [Fact]
    public void The_readme_states_the_instance_cap_and_queue_concurrency_that_bicep_and_host_json_use()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "functions", "Alerts.Functions", "host.json")));
        var queues = host.RootElement.GetProperty("extensions").GetProperty("queues");
        var perInstance = queues.GetProperty("batchSize").GetInt32() + queues.GetProperty("newBatchThreshold").GetInt32();
        Assert.Contains($"up to `MAXIMUM_INSTANCE_COUNT` ({MainDefault("maximumInstanceCount")};", readme);
        Assert.Contains($"up to {perInstance} messages at once", readme);
        Assert.Contains($"| `MAXIMUM_INSTANCE_COUNT` | `{MainDefault("maximumInstanceCount")}` |", readme);
    }
}
