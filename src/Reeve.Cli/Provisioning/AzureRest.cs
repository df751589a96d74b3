using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Reeve.Workers.ContainerInstances;

namespace Reeve.Cli.Provisioning;

/// <summary>
/// Plain REST calls to an Azure service over Azure.Core's pipeline — the user's token for the service's scope, retries
/// of throttled answers, the endpoints' transport — for what provisioning an <c>aci:push</c> pool needs beyond ARM's
/// generic resources: Microsoft Graph v1.0 (app registrations, service principals, client secrets) and ARM's role
/// assignments (which have no location, which generic resources require). A refusal is an <see cref="AzureException"/>
/// of one line.
/// </summary>
internal sealed class AzureRest
{
    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;
    private readonly string _service;

    private AzureRest(TokenCredential credential, AzureEndpoints endpoints, Uri endpoint, string scope, string service)
    {
        var options = new RestOptions();
        if (endpoints.Transport() is { } transport)
        {
            options.Transport = transport;
        }

        _pipeline = HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, scope));
        _endpoint = endpoint;
        _service = service;
    }

    /// <summary>Microsoft Graph, as the user.</summary>
    public static AzureRest Graph(TokenCredential credential, AzureEndpoints endpoints) =>
        new(credential, endpoints, endpoints.Graph, AzureEndpoints.GraphScope, "Microsoft Graph");

    /// <summary>Azure Resource Manager, as the user.</summary>
    public static AzureRest ResourceManager(TokenCredential credential, AzureEndpoints endpoints) =>
        new(credential, endpoints, endpoints.ResourceManager, AzureEndpoints.ResourceManagerScope, "Azure");

    /// <summary>The first object a filtered Graph list finds (<c>applications?$filter=...</c>), or null.</summary>
    public async Task<JsonObject?> FindAsync(string collection, string filter, string what, CancellationToken ct)
    {
        var found = await SendAsync(RequestMethod.Get, $"v1.0/{collection}?$filter={Uri.EscapeDataString(filter)}", null, what, ct);
        return (found["value"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
    }

    /// <summary>Creates a Graph object (POST), returning it as Graph gives it back.</summary>
    public Task<JsonObject> CreateAsync(string path, JsonObject body, string what, CancellationToken ct) =>
        SendAsync(RequestMethod.Post, $"v1.0/{path}", body, what, ct);

    /// <summary>The object at <paramref name="path"/>, or null when there is none (404).</summary>
    public async Task<JsonObject?> GetAsync(string path, string what, CancellationToken ct)
    {
        try
        {
            return await SendAsync(RequestMethod.Get, path, null, what, ct);
        }
        catch (AzureException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>Writes the object at <paramref name="path"/> (PUT).</summary>
    public Task<JsonObject> PutAsync(string path, JsonObject body, string what, CancellationToken ct) =>
        SendAsync(RequestMethod.Put, path, body, what, ct);

    private async Task<JsonObject> SendAsync(RequestMethod method, string path, JsonObject? body, string what, CancellationToken ct)
    {
        using var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(new Uri(_endpoint, path));
        message.Request.Headers.Add("Accept", "application/json");
        if (body is not null)
        {
            message.Request.Headers.Add("Content-Type", "application/json");
            message.Request.Content = RequestContent.Create(BinaryData.FromString(body.ToJsonString()));
        }

        try
        {
            await _pipeline.SendAsync(message, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && AzureException.From(e, what) is { } refused)
        {
            throw refused;
        }

        var response = message.Response;
        var text = response.Content?.ToString() ?? "";
        if (response.IsError)
        {
            string? code = null;
            var why = response.ReasonPhrase;
            try
            {
                if (JsonNode.Parse(text)?["error"] is JsonObject error)
                {
                    code = error["code"]?.GetValue<string>();
                    why = error["message"]?.GetValue<string>() ?? why;
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Not Graph's JSON: the status says it.
            }

            throw new AzureException(response.Status, code, $"{_service} refused to {what}: {(code is null ? "" : code + ": ")}{why.Split('\n')[0].Trim()}");
        }

        return text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? [];
    }

    private sealed class RestOptions : ClientOptions;
}
