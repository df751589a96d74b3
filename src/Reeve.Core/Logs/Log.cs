using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Reeve.Core.Json;

namespace Reeve.Core.Logs;

/// <summary>A log line of a flow run or task run.</summary>
public sealed record Log
{
    /// <summary>The line's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When the server stored it.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>Same as <see cref="Created"/>: log lines do not change.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The logger's name.</summary>
    public required string Name { get; init; }

    /// <summary>The level, as Python's logging numbers it (10 debug, 20 info, 30 warning, 40 error, 50 critical).</summary>
    public required int Level { get; init; }

    /// <summary>The message.</summary>
    public required string Message { get; init; }

    /// <summary>When it was written.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The flow run it belongs to.</summary>
    public Guid? FlowRunId { get; init; }

    /// <summary>The task run it belongs to.</summary>
    public Guid? TaskRunId { get; init; }
}

/// <summary>One line of the body of <c>POST /api/logs/</c>.</summary>
public sealed record LogCreate
{
    /// <summary>The logger's name.</summary>
    [JsonConverter(typeof(FreeTextConverter))]
    public required string Name { get; init; }

    /// <summary>The level (10 debug ... 50 critical).</summary>
    public required int Level { get; init; }

    /// <summary>The message (a NUL character in it is kept as the text <c>\u0000</c>).</summary>
    [MaxLength(InputLimits.LogMessageLength)]
    [JsonConverter(typeof(FreeTextConverter))]
    public required string Message { get; init; }

    /// <summary>When it was written.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The flow run it belongs to.</summary>
    public Guid? FlowRunId { get; init; }

    /// <summary>The task run it belongs to.</summary>
    public Guid? TaskRunId { get; init; }
}

/// <summary>Criteria on log lines.</summary>
public sealed record LogFilter
{
    /// <summary>Bounds on the level.</summary>
    public LogLevelFilter? Level { get; init; }

    /// <summary>Bounds on the timestamp, inclusive.</summary>
    public Filters.TimeFilter? Timestamp { get; init; }

    /// <summary>Lines of these flow runs.</summary>
    public Filters.OptionalIdFilter? FlowRunId { get; init; }

    /// <summary>Lines of these task runs, or of none.</summary>
    public Filters.OptionalIdFilter? TaskRunId { get; init; }

    /// <summary>Lines whose message or logger name contains a text, ignoring case.</summary>
    public LogTextFilter? Text { get; init; }
}

/// <summary><c>{"ge_": 20, "le_": 40}</c>.</summary>
public sealed record LogLevelFilter
{
    /// <summary>At least this level.</summary>
    [JsonPropertyName("ge_")]
    public int? AtLeast { get; init; }

    /// <summary>At most this level.</summary>
    [JsonPropertyName("le_")]
    public int? AtMost { get; init; }
}

/// <summary><c>{"query": "text"}</c>.</summary>
public sealed record LogTextFilter
{
    /// <summary>The text to find.</summary>
    public required string Query { get; init; }
}

/// <summary>The body of <c>POST /api/logs/filter</c>.</summary>
public sealed record LogFilterRequest
{
    /// <summary>Criteria.</summary>
    public LogFilter? Logs { get; init; }

    /// <summary><c>TIMESTAMP_ASC</c> (default) or <c>TIMESTAMP_DESC</c>.</summary>
    public string? Sort { get; init; }

    /// <summary>The most lines to return (at most 200).</summary>
    public int? Limit { get; init; }

    /// <summary>How many to skip.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(Json.DefaultWhenNullConverter<int>))]
    public int Offset { get; init; }
}
