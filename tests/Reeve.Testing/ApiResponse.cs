using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Reeve.Testing;

/// <summary>An answer of the API as a test sees it: the status and the body parsed as JSON.</summary>
public sealed record ApiResponse(HttpStatusCode Status, JsonNode? Body, string Text)
{
    /// <summary>The problem's detail, for error answers.</summary>
    public string? Detail => Body?["detail"]?.GetValue<string>();

    /// <summary>The first field named in the problem's errors.</summary>
    public string? Field => (Body?["errors"] as JsonObject)?.FirstOrDefault().Key;
}

public static class HttpClientJsonExtensions
{
    public static async Task<ApiResponse> SendJsonAsync(this HttpClient http, HttpMethod method, string path, string? json = null,
        string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        if (text.Length > 0)
        {
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                body = null;
            }
        }

        return new ApiResponse(response.StatusCode, body, text);
    }

    public static Task<ApiResponse> PostJsonAsync(this HttpClient http, string path, string json) => http.SendJsonAsync(HttpMethod.Post, path, json);

    public static Task<ApiResponse> PatchJsonAsync(this HttpClient http, string path, string json) => http.SendJsonAsync(HttpMethod.Patch, path, json);

    public static Task<ApiResponse> GetJsonAsync(this HttpClient http, string path) => http.SendJsonAsync(HttpMethod.Get, path);

    public static Task<ApiResponse> DeleteJsonAsync(this HttpClient http, string path) => http.SendJsonAsync(HttpMethod.Delete, path);
}
