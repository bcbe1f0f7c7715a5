using System.Net;
using Microsoft.AspNetCore.Http;

namespace Alerts.Core.Web;

/// <summary>
/// Server-rendered pages: one accessible layout with inline CSS, no external assets, works without JavaScript.
/// Every value interpolated into a page goes through <see cref="Encode"/>.
/// </summary>
public static class HtmlPage
{
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <param name="script">The path of a script the app serves (<see cref="StaticScripts"/>); pages have no inline script.</param>
    public static IResult Render(string siteName, string title, string bodyHtml, int statusCode = 200, string? script = null) =>
        Results.Content(Document(siteName, title, bodyHtml, script), "text/html; charset=utf-8", statusCode: statusCode);

    public static string Document(string siteName, string title, string bodyHtml, string? script = null) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>{{Encode(title)}} · {{Encode(siteName)}}</title>
        <style>
          :root { color-scheme: light; }
          body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; background: #f6f7f9; margin: 0; }
          header { background: #12355b; color: #fff; padding: .75rem 1.25rem; }
          header a { color: #fff; text-decoration: none; font-weight: 600; }
          main { max-width: 44rem; margin: 1.5rem auto; background: #fff; padding: 1.5rem 1.75rem; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
          h1 { font-size: 1.5rem; margin-top: 0; }
          label { display: block; font-weight: 600; margin-top: 1rem; }
          input[type=email], input[type=text], select, textarea { width: 100%; box-sizing: border-box; font: inherit; padding: .5rem; border: 1px solid #6b7280; border-radius: 4px; }
          input:focus, select:focus, button:focus, a:focus { outline: 3px solid #f59e0b; outline-offset: 2px; }
          button { font: inherit; margin-top: 1.25rem; padding: .6rem 1.2rem; background: #12355b; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
          button.secondary { background: #fff; color: #12355b; border: 1px solid #12355b; }
          .hint { color: #4b5563; font-size: .9rem; margin: .25rem 0 0; }
          .error { color: #b91c1c; font-weight: 600; }
          .notice { background: #ecfdf5; border: 1px solid #047857; padding: .75rem 1rem; border-radius: 4px; }
          table { border-collapse: collapse; width: 100%; font-size: .9rem; }
          th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
          code { background: #f3f4f6; padding: 0 .25rem; border-radius: 3px; }
          input[type=number] { font: inherit; padding: .5rem; border: 1px solid #6b7280; border-radius: 4px; width: 8rem; }
          [aria-invalid=true] { border-color: #b91c1c; border-width: 2px; }
          .row { display: flex; gap: 1rem; flex-wrap: wrap; }
          .row > div { flex: 1 1 12rem; }
          .actions { display: flex; gap: .75rem; flex-wrap: wrap; align-items: center; margin-top: 1rem; }
          .actions button { margin-top: 0; }
          .actions form { margin: 0; }
          button.danger { background: #b91c1c; }
          mark { background: #fde68a; color: #111827; }
          .query-echo { display: block; margin-top: .25rem; white-space: pre-wrap; font-weight: normal; color: #1b1b1b; }
          .query-echo mark { background: #fecaca; outline: 1px solid #b91c1c; }
          .card { border: 1px solid #d1d5db; border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
          .card h2 { font-size: 1.1rem; margin: 0 0 .25rem; }
          .status { display: inline-block; font-size: .8rem; font-weight: 600; padding: 0 .4rem; border-radius: 3px; background: #e5e7eb; color: #1f2937; }
          .status-active { background: #d1fae5; color: #065f46; }
          .status-paused { background: #fef3c7; color: #78350f; }
          .preview { margin-top: 1rem; border-top: 1px solid #e5e7eb; padding-top: .5rem; }
          .preview:empty { display: none; }
          .preview ol { padding-left: 1.25rem; }
          .preview li { margin: .35rem 0; }
          .meta { color: #4b5563; font-size: .85rem; }
          details summary { cursor: pointer; font-weight: 600; margin-top: .5rem; }
        </style>
        </head>
        <body>
        <header><a href="/subscribe">{{Encode(siteName)}}</a></header>
        <main id="main">
        {{bodyHtml}}
        </main>
        {{(script is null ? "" : "<script src=\"" + Encode(script) + "\"></script>")}}
        </body>
        </html>
        """;
}
