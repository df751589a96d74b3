using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Reeve.Logging;

namespace Microsoft.Extensions.Logging;

/// <summary>Adds Reeve's logger provider to an application's logging.</summary>
public static class ReeveLoggingBuilderExtensions
{
    /// <summary>
    /// Sends what code inside flow runs logs through <c>ILogger</c> to those runs' logs on the server
    /// (<c>builder.Logging.AddReeve()</c>); lines written outside flow runs are left to the other providers.
    /// </summary>
    public static ILoggingBuilder AddReeve(this ILoggingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, ReeveLoggerProvider>());
        return builder;
    }
}
