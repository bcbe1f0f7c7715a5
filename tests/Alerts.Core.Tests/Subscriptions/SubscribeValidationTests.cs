using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>Validation is where a typed query is parsed: it hands on the tree, or where the query went wrong.</summary>
public sealed class SubscribeValidationTests
{
    [Fact]
    public void A_valid_request_carries_its_query_as_the_tree_the_parser_gives_and_as_trimmed_text()
    {
        var validation = new SubscribeRequest("jane@example.test", "  \"sanctuary city\" AND Chicago ", "daily").Validate();

        Assert.True(validation.IsValid);
        Assert.Equal("\"sanctuary city\" AND Chicago", validation.Query!.Text);
        Assert.Equal(QueryParser.Parse("\"sanctuary city\" AND Chicago").ToString(), validation.Query.Tree.ToString()); // ToString is canonical
        Assert.Null(validation.QueryErrorAt);
    }

    [Fact]
    public void A_query_that_does_not_parse_has_no_tree_and_says_where_its_error_is()
    {
        var validation = new SubscribeRequest("jane@example.test", "immigra* (", "daily").Validate();

        Assert.False(validation.IsValid);
        Assert.Null(validation.Query);
        Assert.Equal(QueryParser.TryParse("immigra* (", out var error) is null ? error!.Position : -1, validation.QueryErrorAt);
        Assert.Equal([error!.Message], validation.Errors["query"]);
    }

    [Fact]
    public void Errors_in_other_fields_keep_the_query_tree_for_a_preview_but_only_the_query_and_sites_decide_it()
    {
        var validation = new SubscribeRequest(null, "DACA", null, Sites: ["reuters.com"]).Validate();

        Assert.False(validation.IsValid);
        Assert.NotNull(validation.Query);
        Assert.True(validation.ForQuery().IsValid);
        Assert.False(new SubscribeRequest(null, "DACA", null, Sites: ["not a site"]).Validate().ForQuery().IsValid);
    }

    [Fact]
    public void A_query_with_refused_characters_has_no_tree_even_though_it_parses()
    {
        var validation = new SubscribeRequest("jane@example.test", "DACA\u202E", "daily").Validate();

        Assert.Contains("query", validation.Errors.Keys);
        Assert.Null(validation.Query);
    }
}
