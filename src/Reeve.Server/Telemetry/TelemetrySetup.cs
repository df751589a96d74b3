using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Reeve.Server.Hosting;

namespace Reeve.Server.Telemetry;

/// <summary>
/// Wires OpenTelemetry when the server exports something: Reeve's meter and activity source, ASP.NET Core's request
/// spans and metrics, the runtime's metrics; to Prometheus at <c>/metrics</c> and/or to an OTLP collector.
/// </summary>
internal static class TelemetrySetup
{
    public static void Add(IServiceCollection services, TelemetryOptions options)
    {
        services.AddHostedService<RunCountsLoop>();
        var version = typeof(TelemetrySetup).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("reeve-server", serviceVersion: version));

        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(ReeveMetrics.Name).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation();
            if (options.Prometheus)
            {
                metrics.AddPrometheusExporter();
            }

            if (options.OtlpEndpoint is { } endpoint)
            {
                metrics.AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, endpoint, options.OtlpOverHttp, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.OtlpMetricsInterval.TotalMilliseconds;
                });
            }
        });

        if (options.OtlpEndpoint is { } traceEndpoint)
        {
            otel.WithTracing(tracing => tracing
                .AddSource(ReeveMetrics.Name)
                .AddAspNetCoreInstrumentation(asp => asp.Filter = context => IsTraced(context.Request.Path))
                .AddOtlpExporter(exporter => Configure(exporter, traceEndpoint, options.OtlpOverHttp, "v1/traces")));
        }
    }

    /// <summary>API requests are traced; the UI's circuit traffic, static files and the probes are not.</summary>
    private static bool IsTraced(PathString path) =>
        path.StartsWithSegments("/api") && !Api.HealthApi.IsProbe(path);

    private static void Configure(OtlpExporterOptions exporter, Uri endpoint, bool overHttp, string signalPath)
    {
        exporter.Protocol = overHttp ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        exporter.Endpoint = overHttp ? new Uri(endpoint.ToString().TrimEnd('/') + "/" + signalPath) : endpoint;
    }
}
