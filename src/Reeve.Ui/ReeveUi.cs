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
    /// <summary>
    /// The UI's services: Razor components with interactive server rendering, and its way to the API. The host signs
    /// the browser in (when it asks for a key) before the UI's connection opens; <paramref name="allows"/> (method,
    /// route, role) tells the pages which actions to offer.
    /// </summary>
    public static IServiceCollection AddReeveUi(this IServiceCollection services, Func<string, string, string, bool>? allows = null)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddScoped<UiApi>();
        services.AddSingleton<UiConnections>();
        services.AddSingleton(new UiSettings(allows));
        return services;
    }

    /// <summary>Maps the pages, the stylesheet and Blazor's script (both embedded: the server needs no static files folder).</summary>
    public static IEndpointRouteBuilder MapReeveUi(this IEndpointRouteBuilder endpoints)
    {
        var css = Embedded("Reeve.Ui.reeve.css");
        var script = Embedded("Reeve.Ui.blazor.web.js");
        endpoints.MapGet("/ui/reeve.css", (HttpContext context) => Cached(context, css, "text/css; charset=utf-8"));
        endpoints.MapGet("/_framework/blazor.web.js", (HttpContext context) => Cached(context, script, "text/javascript; charset=utf-8"));
        endpoints.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return endpoints;
    }

    /// <summary>An embedded file, which changes only with the server's version: kept by the browser for an hour.</summary>
    private static IResult Cached(HttpContext context, string text, string contentType)
    {
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Text(text, contentType);
    }

    private static string Embedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The UI's {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>What the UI knows of the server that hosts it.</summary>
/// <param name="Allows">Whether a role may call a method on a route (the API's own rule); null: every action is offered.</param>
public sealed record UiSettings(Func<string, string, string, bool>? Allows);
