using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Reeve.Ui.Components;

namespace Reeve.Ui;

/// <summary>Hosting of the web UI by the Reeve server: Blazor pages at <c>/</c>, interactive over the server's own connection.</summary>
public static class ReeveUi
{
    /// <summary>The UI's services: Razor components with interactive server rendering, and its way to the API.</summary>
    public static IServiceCollection AddReeveUi(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddScoped<UiApi>();
        return services;
    }

    /// <summary>Maps the pages, the stylesheet and Blazor's script (both embedded: the server needs no static files folder).</summary>
    public static IEndpointRouteBuilder MapReeveUi(this IEndpointRouteBuilder endpoints)
    {
        var css = Embedded("Reeve.Ui.reeve.css");
        var script = Embedded("Reeve.Ui.blazor.web.js");
        endpoints.MapGet("/ui/reeve.css", () => Results.Text(css, "text/css; charset=utf-8"));
        endpoints.MapGet("/_framework/blazor.web.js", () => Results.Text(script, "text/javascript; charset=utf-8"));
        endpoints.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return endpoints;
    }

    private static string Embedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The UI's {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
