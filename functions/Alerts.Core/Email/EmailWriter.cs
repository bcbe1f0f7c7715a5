using Alerts.Core.Web;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Alerts.Core.Email;

/// <summary>
/// Turns an envelope, an HTML template (a Razor component whose only parameter is <c>Model</c>, wrapped in
/// <c>EmailShell</c>) and the plain-text part into the message we send. Encoding is the renderer's job.
/// </summary>
public sealed class EmailWriter(ComponentRenderer renderer, IOptions<SmtpOptions> smtp)
{
    public SmtpOptions Smtp => smtp.Value;

    public async Task<MimeMessage> WriteAsync<TTemplate>(EmailEnvelope envelope, object model, string text) where TTemplate : IComponent
    {
        var message = envelope.ToMessage(smtp.Value);
        var html = await renderer.RenderAsync<TTemplate>(model);
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        return message;
    }
}
