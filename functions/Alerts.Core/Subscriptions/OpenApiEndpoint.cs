using System.Text.Json.Nodes;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// <c>GET /api/openapi.json</c>: the subscriber API as OpenAPI 3.1. Written by hand (the two hosts share handlers,
/// not an ASP.NET endpoint model a generator could read); a test checks it names every subscriber API route.
/// </summary>
public sealed class OpenApiEndpoint(IOptions<SiteOptions> site)
{
    public IResult Get() => Results.Text(Document(site.Value).ToJsonString(), "application/json");

    public Task<IResult> GetAsync(HttpRequest request) => Task.FromResult(Get());

    public static JsonObject Document(SiteOptions site)
    {
        static JsonObject Ref(string name) => new() { ["$ref"] = "#/components/schemas/" + name };
        static JsonObject Str(string description) => new() { ["type"] = "string", ["description"] = description };
        static JsonObject Problem(string description) => new()
        {
            ["description"] = description,
            ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = Ref("Problem") } },
        };
        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = site.Name + " subscriber API",
                ["version"] = "1.0",
                ["description"] = "Subscribe to keyword alerts (double opt-in by email) and preview queries. Query language: docs/query-language.md.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = site.PublicBaseUrl.TrimEnd('/') }),
            ["paths"] = new JsonObject
            {
                ["/" + Routes.Subscriptions] = new JsonObject
                {
                    ["post"] = new JsonObject
                    {
                        ["operationId"] = "CreateSubscription",
                        ["summary"] = "Ask for alerts; a confirmation link is emailed. The answer is the same whether or not the address already subscribes.",
                        ["requestBody"] = new JsonObject
                        {
                            ["required"] = true,
                            ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref("SubscribeRequest") } },
                        },
                        ["responses"] = new JsonObject
                        {
                            ["202"] = new JsonObject { ["description"] = "Pending: a confirmation email is on its way if the address can receive alerts." },
                            ["400"] = Problem("Validation problem; errors names the fields (query errors carry the parser's position in the message)."),
                            ["429"] = Problem("Too many requests from this network; see Retry-After."),
                            ["503"] = Problem("The confirmation email could not be sent; retry later."),
                        },
                    },
                },
                ["/" + Routes.SubscriptionPreview] = new JsonObject
                {
                    ["get"] = new JsonObject
                    {
                        ["operationId"] = "PreviewSubscription",
                        ["summary"] = "What a query would have matched over the stored articles of the last 7 days.",
                        ["parameters"] = new JsonArray(
                            new JsonObject { ["name"] = "q", ["in"] = "query", ["required"] = true, ["schema"] = Str("The query, e.g. \"sanctuary city\" AND Chicago.") },
                            new JsonObject { ["name"] = "sites", ["in"] = "query", ["required"] = false, ["schema"] = Str("Comma-separated domains to restrict to.") }),
                        ["responses"] = new JsonObject
                        {
                            ["200"] = new JsonObject
                            {
                                ["description"] = "The matched stories, newest first (at most 20).",
                                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref("PreviewResult") } },
                            },
                            ["400"] = Problem("The query does not parse: errors.q holds the parser's message and position the offset."),
                        },
                    },
                },
            },
            ["components"] = new JsonObject
            {
                ["schemas"] = new JsonObject
                {
                    ["SubscribeRequest"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["required"] = new JsonArray("email", "query", "frequency"),
                        ["properties"] = new JsonObject
                        {
                            ["email"] = new JsonObject { ["type"] = "string", ["format"] = "email", ["maxLength"] = EmailAddress.MaxLength },
                            ["query"] = new JsonObject { ["type"] = "string", ["maxLength"] = SubscribeRequest.MaxQueryLength },
                            ["frequency"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("instant", "hourly", "daily", "weekly") },
                            ["timeZone"] = Str("IANA time zone; default UTC."),
                            ["digestHour"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = 23, ["description"] = "Local hour for daily and weekly digests; default 8." },
                            ["digestDay"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday") },
                            ["label"] = new JsonObject { ["type"] = "string", ["maxLength"] = SubscribeRequest.MaxLabelLength },
                            ["sites"] = new JsonObject { ["type"] = "array", ["items"] = Str("A domain; covers its subdomains."), ["maxItems"] = SubscribeRequest.MaxSites },
                            ["maxItems"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = SubscribeRequest.MaxItemsLimit, ["description"] = "Articles shown in full per email; the rest by title." },
                        },
                    },
                    ["PreviewResult"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject
                        {
                            ["query"] = Str("The query as previewed."),
                            ["since"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                            ["count"] = new JsonObject { ["type"] = "integer", ["description"] = "Stories matched; the same story from several feeds counts once." },
                            ["scanned"] = new JsonObject { ["type"] = "integer", ["description"] = "Articles looked at, newest first." },
                            ["complete"] = new JsonObject { ["type"] = "boolean", ["description"] = "False when the preview's work budget ran out before the oldest articles of the window." },
                            ["articles"] = new JsonObject { ["type"] = "array", ["items"] = Ref("PreviewArticle") },
                        },
                    },
                    ["PreviewArticle"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject
                        {
                            ["title"] = Str("Title (plain text)."),
                            ["link"] = new JsonObject { ["type"] = new JsonArray("string", "null"), ["format"] = "uri" },
                            ["feedTitle"] = Str("The feed it came from."),
                            ["site"] = Str("The site it came from."),
                            ["publishedAt"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                            ["snippet"] = Str("About 240 characters around the first match."),
                            ["alsoIn"] = new JsonObject { ["type"] = "integer", ["description"] = "Other feeds that carried the same story." },
                        },
                    },
                    ["Problem"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["description"] = "RFC 9457 problem details.",
                        ["properties"] = new JsonObject
                        {
                            ["type"] = Str("Problem type URI."),
                            ["title"] = Str("Summary."),
                            ["status"] = new JsonObject { ["type"] = "integer" },
                            ["detail"] = Str("Explanation."),
                            ["errors"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } } },
                            ["position"] = new JsonObject { ["type"] = "integer", ["description"] = "Offset in the query where parsing failed." },
                        },
                    },
                },
            },
        };
    }
}
