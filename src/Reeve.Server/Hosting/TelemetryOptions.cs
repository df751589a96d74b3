namespace Reeve.Server.Hosting;

/// <summary>
/// What the server exports of itself with OpenTelemetry: metrics at <c>/metrics</c> for Prometheus to scrape, and
/// traces and metrics over OTLP to a collector. Nothing is exported by default; the instruments cost nothing then.
/// </summary>
public sealed record TelemetryOptions
{
    /// <summary>Serve the metrics at <c>/metrics</c> in Prometheus' text format (<c>--metrics</c>, <c>REEVE_SERVER_METRICS=true</c>).</summary>
    public bool Prometheus { get; init; }

    /// <summary>
    /// Where to send traces and metrics over OTLP (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, such as
    /// <c>http://collector:4317</c>); null sends nothing.
    /// </summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>
    /// OTLP over gRPC (default, port 4317) or HTTP with protobuf bodies (<c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>,
    /// port 4318; <c>/v1/traces</c> and <c>/v1/metrics</c> are added to the endpoint).
    /// </summary>
    public bool OtlpOverHttp { get; init; }

    /// <summary>How often metrics are pushed over OTLP.</summary>
    public TimeSpan OtlpMetricsInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether anything is exported.</summary>
    public bool Enabled => Prometheus || OtlpEndpoint is not null;
}

/// <summary>How the server writes its log lines to the console.</summary>
public enum LogFormat
{
    /// <summary>One readable line per event.</summary>
    Text,

    /// <summary>One JSON object per line (timestamp, level, category, message, exception), for log collectors.</summary>
    Json,
}
