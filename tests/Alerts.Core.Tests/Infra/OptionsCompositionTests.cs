using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Tests.Infra;

/// <summary>One way to compose: every options class is bound from its section once, and validated by its annotations.</summary>
public sealed class OptionsCompositionTests
{
    [Fact]
    public void Every_options_class_is_bound_from_its_section_once_and_validated_by_data_annotations()
    {
        var services = new ServiceCollection().AddAlertsCore(new ConfigurationBuilder().Build());
        var sections = InfraFiles.OptionsSections();
        Assert.NotEmpty(sections);

        foreach (var (type, section) in sections)
        {
            // BindConfiguration (like Configure(section)) adds one change-token source per binding.
            var bindings = services.Count(d => d.ServiceType == typeof(IOptionsChangeTokenSource<>).MakeGenericType(type));
            Assert.True(bindings == 1, $"{type.Name} ({section}) is bound {bindings} times.");
            var annotations = services.Count(d => d.ServiceType == typeof(IValidateOptions<>).MakeGenericType(type)
                && d.ImplementationInstance?.GetType() == typeof(DataAnnotationValidateOptions<>).MakeGenericType(type));
            Assert.True(annotations == 1, $"{type.Name} ({section}) is validated by data annotations {annotations} times.");
        }
    }

    [Fact]
    public void Options_are_read_from_the_configuration_the_host_registered()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Site:Name"] = "Newsroom Alerts",
            ["Admin:AlertEmail"] = "desk@example.test",
            ["Feeds:MaxRedirects"] = "3",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddAlertsCore(configuration).BuildServiceProvider();

        Assert.Equal("Newsroom Alerts", provider.GetRequiredService<IOptions<Alerts.Core.Web.SiteOptions>>().Value.Name);
        Assert.Equal("desk@example.test", provider.GetRequiredService<IOptions<Alerts.Core.Admin.AdminOptions>>().Value.AlertEmail);
        Assert.Equal(3, provider.GetRequiredService<IOptions<Alerts.Core.Feeds.FeedFetchOptions>>().Value.MaxRedirects);
    }
}
