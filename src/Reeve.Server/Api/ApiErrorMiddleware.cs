using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Reeve.Core.Errors;
using Reeve.Core.Json;

namespace Reeve.Server.Api;

/// <summary>
/// Turns every failure into a problem-details answer: the domain's refusals into 404 / 409 / 422, a body
/// that cannot be read into a 422 naming the field, and anything unexpected into a 500 that is logged.
/// </summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    private static readonly string TooLarge = $"The request body is larger than the limit of {ApiLimits.MaxRequestBodyBytes / (1024 * 1024)} MiB.";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
            if (context.Response is { HasStarted: false, StatusCode: >= 400 } && context.Response.ContentLength is null
                && context.Response.ContentType is null)
            {
                // Routing answers 404 / 405 / 415 with no body; give them one like every other error.
                await WriteAsync(context, Problems.Create(context.Response.StatusCode, DefaultDetail(context)));
            }
        }
        catch (ReeveValidationException e)
        {
            await WriteAsync(context, Problems.Create(StatusCodes.Status422UnprocessableEntity, e.Message, e.Field));
        }
        catch (ReeveNotFoundException e)
        {
            await WriteAsync(context, Problems.Create(StatusCodes.Status404NotFound, e.Message));
        }
        catch (PayloadTooLargeException e)
        {
            await WriteAsync(context, Problems.Create(StatusCodes.Status413PayloadTooLarge, e.Message));
        }
        catch (ReeveForbiddenException e)
        {
            await WriteAsync(context, Problems.Create(StatusCodes.Status403Forbidden, e.Message));
        }
        catch (ReeveConflictException e)
        {
            await WriteAsync(context, Problems.Create(StatusCodes.Status409Conflict, e.Message));
        }
        catch (BadHttpRequestException e) when (e.InnerException is JsonException json)
        {
            var (field, reason) = DescribeJsonError(json);
            await WriteAsync(context, Problems.Create(StatusCodes.Status422UnprocessableEntity, $"{field}: {reason}", field));
        }
        catch (BadHttpRequestException e) when (BindFailure().Match(e.Message) is { Success: true } bind)
        {
            // A route or query value of the wrong type: named as the client wrote it, the type in words.
            var field = WireName(context, bind.Groups["name"].Value);
            var detail = $"{field}: Input should be {Describe(bind.Groups["type"].Value)} (got \"{bind.Groups["value"].Value}\")";
            await WriteAsync(context, Problems.Create(StatusCodes.Status422UnprocessableEntity, detail, field));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status400BadRequest && e.Message.Contains("body", StringComparison.OrdinalIgnoreCase))
        {
            await WriteAsync(context, Problems.Create(StatusCodes.Status422UnprocessableEntity, "body: a JSON object is required", "body"));
        }
        catch (BadHttpRequestException e)
        {
            var detail = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge : e.Message;
            await WriteAsync(context, Problems.Create(e.StatusCode, detail));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (Exception e) when (Storage.Store.IsBusy(e))
        {
            // Overload, not a fault: the database did not answer in time (a lock queue longer than the command
            // timeout). The client may try again; nothing of the request was written.
            logger.LogWarning("The database was too busy to answer {Method} {Path} in time: {Reason}", context.Request.Method, context.Request.Path, e.GetBaseException().Message);
            await WriteAsync(context, Problems.Create(StatusCodes.Status503ServiceUnavailable, "The database is too busy to answer in time; nothing was written. Try again."),
                retryAfterSeconds: 1);
        }
#pragma warning disable CA1031 // Every other failure must still be answered, and logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            await WriteAsync(context, Problems.Create(StatusCodes.Status500InternalServerError, "Internal Server Error"));
        }
    }

    /// <summary>Names the field of a JSON error (<c>$.work_pools.name.any_[0]</c> becomes <c>work_pools.name.any_[0]</c>) and says why.</summary>
    internal static (string Field, string Reason) DescribeJsonError(JsonException json)
    {
        var message = json.Message;
        var path = json.Path is { Length: > 0 } p ? p : "$";
        var field = path == "$" ? "body" : path.TrimStart('$').TrimStart('.');

        if (UnmappedMember().Match(message) is { Success: true } unmapped)
        {
            var name = unmapped.Groups[1].Value;
            field = field.EndsWith(name, StringComparison.Ordinal) ? field : Join(field, name);
            return (field, "Extra inputs are not permitted (unknown field)");
        }

        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            var names = missing.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => n.Trim('\'', '.', ' '));
            return (Join(field, names.First()), "Field required");
        }

        if (message.Contains("doesn't allow setting null", StringComparison.Ordinal) || message.Contains("does not allow", StringComparison.Ordinal) && message.Contains("null", StringComparison.Ordinal))
        {
            return (field, "must not be null");
        }

        if (ConvertFailure().Match(message) is { Success: true } convert)
        {
            return (field, $"Input should be {Describe(convert.Groups[1].Value)}");
        }

        if (field == "body" && json.LineNumber is not null)
        {
            return ("body", $"JSON decode error at line {json.LineNumber + 1}, position {json.BytePositionInLine + 1}: {FirstSentence(json.InnerException?.Message ?? message)}");
        }

        return (field, FirstSentence(json.InnerException?.Message ?? message));
    }

    private static string Join(string field, string name) => field == "body" ? name : $"{field}.{name}";

    /// <summary>The name a handler's parameter has on the wire: its <c>[FromQuery(Name = ...)]</c>, else snake_case.</summary>
    private static string WireName(HttpContext context, string parameter)
    {
        var method = context.GetEndpoint()?.Metadata.GetMetadata<System.Reflection.MethodInfo>();
        var info = method?.GetParameters().FirstOrDefault(p => p.Name == parameter);
        return (info is null ? null : System.Reflection.CustomAttributeExtensions.GetCustomAttribute<FromQueryAttribute>(info)?.Name)
            ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(parameter);
    }

    private static string Describe(string type) => type switch
    {
        "System.Int32" or "System.Int64" or "System.Nullable`1[System.Int32]" or "System.Nullable`1[System.Int64]" => "a valid integer",
        "System.Double" or "System.Decimal" => "a valid number",
        "System.Boolean" or "System.Nullable`1[System.Boolean]" => "a valid boolean",
        "System.String" => "a valid string",
        "System.Guid" or "System.Nullable`1[System.Guid]" or "Guid" or "Nullable<Guid>" or "Guid[]" => "a valid UUID",
        "Int32" or "Nullable<Int32>" or "int" => "a valid integer",
        "DateTimeOffset" or "Nullable<DateTimeOffset>" => "a valid datetime",
        "System.DateTimeOffset" or "System.Nullable`1[System.DateTimeOffset]" => "a valid datetime",
        "System.Text.Json.Nodes.JsonObject" => "a valid object",
        _ when type.Contains("List`1", StringComparison.Ordinal) => "a valid list",
        _ when type.StartsWith("Reeve.Core", StringComparison.Ordinal) && type.Contains("Status", StringComparison.Ordinal) => "one of the allowed values",
        _ when type.StartsWith("Reeve.Core", StringComparison.Ordinal) && type.Contains("Operator", StringComparison.Ordinal) => "'and_' or 'or_'",
        _ when type.StartsWith("Reeve.Core", StringComparison.Ordinal) => "a valid object",
        _ => $"a valid {type}",
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private static string DefaultDetail(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound => $"No resource at {context.Request.Method} {context.Request.Path}.",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path}.",
        StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
        StatusCodes.Status413PayloadTooLarge => TooLarge,
        _ => "The request could not be processed.",
    };

    private static Task WriteAsync(HttpContext context, ProblemDetails problem, int? retryAfterSeconds = null)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.Clear();
        context.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return context.Response.WriteAsJsonAsync(problem, ReeveJson.Default, "application/problem+json");
    }

    [GeneratedRegex("""^Failed to bind parameter "(?<type>\S+) (?<name>\w+)" from "(?<value>.*)"\.?$""")]
    private static partial Regex BindFailure();

    [GeneratedRegex(@"The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex(@"missing required properties including: (.*?)\.?$")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"could not be converted to ([^\s.]+(?:\.[^\s.]+)*)\.? Path")]
    private static partial Regex ConvertFailure();
}
