using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Alerts.Core.Web;

/// <summary>A request body we will not read: answered with <see cref="Status"/> (400, 413 or 415) as problem+json.</summary>
public sealed class BadRequestBodyException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}

/// <summary>
/// Reading request bodies within limits, the same way on every route: the right content type (else 415), a size
/// limit (else 413), and malformed bodies as 400, so that no input can cost memory or end in a 500.
/// </summary>
public static class RequestBody
{
    /// <summary>A subscription or an admin edit is a few hundred bytes; this leaves room and bounds memory.</summary>
    public const int MaxJsonBytes = 64 * 1024;
    public const int MaxFormBytes = 64 * 1024;
    /// <summary>An OPML import of thousands of feeds.</summary>
    public const int MaxDocumentBytes = 4 * 1024 * 1024;
    /// <summary>Any request at all (the local host's server limit; the Functions host has its own).</summary>
    public const int MaxRequestBytes = MaxDocumentBytes + 64 * 1024;

    public static async Task<T?> ReadJsonAsync<T>(HttpRequest request, JsonSerializerOptions options, int maxBytes = MaxJsonBytes)
    {
        if (!request.HasJsonContentType())
            throw new BadRequestBodyException(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON.",
                $"Send the body as application/json, not '{request.ContentType ?? "no content type"}'.");
        var bytes = await ReadBytesAsync(request, maxBytes);
        return JsonSerializer.Deserialize<T>(bytes, options);
    }

    /// <summary>The body as bytes, at most <paramref name="maxBytes"/> (413 beyond).</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength > maxBytes)
            throw TooLarge(maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static async Task<IFormCollection> ReadFormAsync(HttpRequest request, int maxBytes = MaxFormBytes)
    {
        if (!request.HasFormContentType)
            throw new BadRequestBodyException(StatusCodes.Status415UnsupportedMediaType, "The body must be a form.",
                $"Send application/x-www-form-urlencoded or multipart/form-data, not '{request.ContentType ?? "no content type"}'.");
        if (request.ContentLength > maxBytes)
            throw TooLarge(maxBytes);
        var limits = new FormOptions
        {
            ValueLengthLimit = maxBytes,
            KeyLengthLimit = 256,
            ValueCountLimit = 100,
            MultipartBodyLengthLimit = maxBytes,
            MultipartHeadersLengthLimit = 8 * 1024,
            MultipartBoundaryLengthLimit = 70,
        };
        try
        {
            return await request.ReadFormAsync(limits, request.HttpContext.RequestAborted);
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge(maxBytes);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException && !request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            throw new BadRequestBodyException(StatusCodes.Status400BadRequest, "The form could not be read.", ex.Message);
        }
    }

    /// <summary>The problem+json answer for input we refused, or null for any other exception.</summary>
    public static IResult? ToProblem(Exception exception) => exception switch
    {
        BadRequestBodyException bad => Results.Problem(title: bad.Title, detail: bad.Message, statusCode: bad.Status),
        BadHttpRequestException bad => Results.Problem(title: "The request could not be read.", detail: bad.Message, statusCode: bad.StatusCode),
        InvalidDataException or JsonException or FormatException => Results.Problem(title: "The request could not be read.",
            detail: exception.Message, statusCode: StatusCodes.Status400BadRequest),
        _ => null,
    };

    private static BadRequestBodyException TooLarge(int maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "The body is too large.", $"This route accepts at most {maxBytes / 1024} KB.");
}
