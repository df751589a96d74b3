using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Reeve.Core.Errors;
using Reeve.Core.Json;

namespace Reeve.Server.Api;

/// <summary>
/// Puts every endpoint's input through one check once it is bound: each body through <see cref="InputLimits"/>
/// (sizes, null list items), each text in the route or query string through the same rules as text in a body (no
/// NUL character, at most <see cref="InputLimits.DefaultTextLength"/> characters). No endpoint can forget it.
/// </summary>
internal static class InputLimitsFilter
{
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
    {
        var checks = factory.MethodInfo.GetParameters()
            .Select((parameter, index) => (Index: index, Field: FieldOf(parameter)))
            .Where(check => check.Field is not null)
            .ToArray();
        if (checks.Length == 0)
        {
            return next;
        }

        return context =>
        {
            foreach (var (index, field) in checks)
            {
                switch (context.Arguments[index])
                {
                    case string text:
                        CheckText(text, field!);
                        break;
                    case string[] texts:
                        for (var i = 0; i < texts.Length; i++)
                        {
                            CheckText(texts[i], field!);
                        }

                        break;
                    case { } body:
                        InputLimits.Check(body, field!);
                        break;
                }
            }

            return next(context);
        };
    }

    /// <summary>How a refusal names the parameter: empty for the body, its name for a route or query value; null when it needs no check.</summary>
    private static string? FieldOf(ParameterInfo parameter)
    {
        if (parameter.GetCustomAttribute<FromBodyAttribute>() is not null)
        {
            return string.Empty;
        }

        if (parameter.ParameterType != typeof(string) && parameter.ParameterType != typeof(string[]))
        {
            return null;
        }

        return parameter.GetCustomAttribute<FromQueryAttribute>()?.Name ?? parameter.GetCustomAttribute<FromRouteAttribute>()?.Name ?? parameter.Name;
    }

    private static void CheckText(string text, string field)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new ReeveValidationException(field, "holds a NUL character (\\u0000), which is not allowed here");
        }

        if (text.Length > InputLimits.DefaultTextLength)
        {
            throw new ReeveValidationException(field, $"at most {InputLimits.DefaultTextLength:N0} characters are allowed (got {text.Length:N0})");
        }
    }
}
