using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace Reeve;

/// <summary>
/// Calls the method behind a flow or task: binds its parameters (from positional values or from JSON), injects
/// the <see cref="CancellationToken"/>, awaits whatever it returns, and describes its parameters as JSON Schema.
/// </summary>
internal sealed class Invocation
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> ResultProperties = new();
    private readonly MethodInfo _method;
    private readonly object? _target;
    private readonly ParameterInfo[] _all;

    public Invocation(MethodInfo method, object? target)
    {
        _method = method;
        _target = target;
        _all = method.GetParameters();
        Parameters = _all.Where(p => p.ParameterType != typeof(CancellationToken)).ToArray();
    }

    /// <summary>The parameters a caller gives (the cancellation token is injected, not given).</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>The values of the parameters for positional arguments, defaults filling the rest.</summary>
    public object?[] FromPositional(object?[] args)
    {
        if (args.Length > Parameters.Count)
        {
            throw new ArgumentException($"{_method.Name} takes {Parameters.Count} parameter(s); {args.Length} were given.", nameof(args));
        }

        var values = new object?[Parameters.Count];
        for (var i = 0; i < Parameters.Count; i++)
        {
            var parameter = Parameters[i];
            if (i < args.Length)
            {
                values[i] = args[i] is null || parameter.ParameterType.IsInstanceOfType(args[i]) || Nullable.GetUnderlyingType(parameter.ParameterType)?.IsInstanceOfType(args[i]) == true
                    ? args[i]
                    : throw new FlowParameterException(parameter.Name!, $"expected {Describe(parameter.ParameterType)}, got {args[i]!.GetType().Name}");
            }
            else
            {
                values[i] = parameter.HasDefaultValue ? parameter.DefaultValue : throw new FlowParameterException(parameter.Name!, "is required");
            }
        }

        return values;
    }

    /// <summary>The values of the parameters bound from JSON (as a run's <c>parameters</c>); the first problem names its parameter.</summary>
    public object?[] FromJson(JsonObject? parameters)
    {
        parameters ??= [];
        var unknown = parameters.Select(p => p.Key).FirstOrDefault(k => Parameters.All(p => p.Name != k));
        if (unknown is not null)
        {
            throw new FlowParameterException(unknown, $"is not a parameter of {_method.Name} (its parameters: {string.Join(", ", Parameters.Select(p => p.Name))})");
        }

        var values = new object?[Parameters.Count];
        for (var i = 0; i < Parameters.Count; i++)
        {
            var parameter = Parameters[i];
            if (!parameters.TryGetPropertyValue(parameter.Name!, out var node))
            {
                values[i] = parameter.HasDefaultValue ? parameter.DefaultValue : throw new FlowParameterException(parameter.Name!, "is required");
                continue;
            }

            try
            {
                values[i] = node.Deserialize(parameter.ParameterType, FlowJson.Options);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
            {
                throw new FlowParameterException(parameter.Name!, $"expected {Describe(parameter.ParameterType)}, got {node?.ToJsonString() ?? "null"}", e);
            }

            if (values[i] is null && parameter.ParameterType.IsValueType && Nullable.GetUnderlyingType(parameter.ParameterType) is null)
            {
                throw new FlowParameterException(parameter.Name!, $"expected {Describe(parameter.ParameterType)}, got null");
            }
        }

        return values;
    }

    /// <summary>The parameter values as the JSON object a run records.</summary>
    public JsonObject ToJson(object?[] values)
    {
        var json = new JsonObject();
        for (var i = 0; i < Parameters.Count; i++)
        {
            json[Parameters[i].Name!] = JsonSerializer.SerializeToNode(values[i], Parameters[i].ParameterType, FlowJson.Options);
        }

        return json;
    }

    /// <summary>The JSON Schema of the parameters: what deployments carry and the server checks runs against.</summary>
    public JsonObject Schema()
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        var exporter = new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true };
        foreach (var parameter in Parameters)
        {
            var schema = FlowJson.Options.GetJsonSchemaAsNode(parameter.ParameterType, exporter) as JsonObject ?? [];
            schema["title"] = parameter.Name;
            if (parameter.HasDefaultValue)
            {
                schema["default"] = JsonSerializer.SerializeToNode(parameter.DefaultValue, parameter.ParameterType, FlowJson.Options);
            }
            else
            {
                required.Add(parameter.Name);
            }

            properties[parameter.Name!] = schema;
        }

        var result = new JsonObject { ["type"] = "object", ["title"] = "Parameters", ["properties"] = properties };
        if (required.Count > 0)
        {
            result["required"] = required;
        }

        return result;
    }

    /// <summary>Calls the method and awaits what it returns; exceptions are its own, not reflection's.</summary>
    public async Task<object?> InvokeAsync(object?[] values, CancellationToken cancellationToken)
    {
        var arguments = new object?[_all.Length];
        for (int i = 0, v = 0; i < _all.Length; i++)
        {
            arguments[i] = _all[i].ParameterType == typeof(CancellationToken) ? cancellationToken : values[v++];
        }

        object? returned;
        try
        {
            returned = _method.Invoke(_target, BindingFlags.DoNotWrapExceptions, null, arguments, null);
        }
        catch (TargetParameterCountException e)
        {
            throw new InvalidOperationException($"{_method.Name} could not be called: {e.Message}", e);
        }

        switch (returned)
        {
            case Task task:
                await task;
                return Result(task);
            case ValueTask valueTask:
                await valueTask;
                return null;
            case null:
                return null;
        }

        var type = returned.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            var task = (Task)type.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(returned, null)!;
            await task;
            return Result(task);
        }

        return returned;
    }

    private static object? Result(Task task)
    {
        var property = ResultProperties.GetOrAdd(task.GetType(), t =>
            t.IsGenericType && t.GetGenericArguments()[0].Name != "VoidTaskResult" ? t.GetProperty("Result") : null);
        return property?.GetValue(task);
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => "a string",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "an integer",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time",
            _ when type == typeof(Guid) => "a UUID",
            _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
            _ => $"a {type.Name}",
        };
    }
}

/// <summary>
/// The JSON conventions of flow parameters and results: .NET's web defaults (camelCase, case-insensitive),
/// numbers as numbers and enums by name.
/// </summary>
public static class FlowJson
{
    /// <summary>The options parameters and results are read and written with.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        // Numbers are numbers: a parameter declared int takes 5, not "5", and its schema says "integer".
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict };
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>A flow or task was given a parameter it cannot take; <see cref="ArgumentException.ParamName"/> names it.</summary>
public sealed class FlowParameterException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public FlowParameterException(string parameter, string reason, Exception? innerException = null)
        : base($"Parameter '{parameter}' {reason}.", parameter, innerException)
    {
        Reason = reason;
    }

    /// <summary>Why the value was refused.</summary>
    public string Reason { get; }
}
