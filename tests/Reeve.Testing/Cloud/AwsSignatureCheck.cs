using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Reeve.Testing.Cloud;

/// <summary>
/// The stand-in's side of AWS Signature Version 4, written apart from the client's signer from AWS's "Create a signed
/// AWS API request" reference: it rebuilds the canonical request from what arrived (the headers named in
/// <c>SignedHeaders</c>, the body's SHA-256), derives the signing key from the secret it knows for the access key, and
/// compares signatures. What a refusal says is AWS's wording.
/// </summary>
internal static class AwsSignatureCheck
{
    /// <summary>The credential scope's service and region when the signature holds; else AWS's error code and message.</summary>
    public static (string? Service, string? Region, string? Code, string? Message) Check(HttpRequest request, byte[] body, Func<string, string?> secretOf)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            return (null, null, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        var parts = authorization["AWS4-HMAC-SHA256 ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaders) || !parts.TryGetValue("Signature", out var signature)
            || credential.Split('/') is not [var keyId, var date, var region, var service, "aws4_request"])
        {
            return (null, null, "IncompleteSignatureException", $"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization={authorization}");
        }

        if (secretOf(keyId) is not { } secret)
        {
            return (service, region, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (amzDate.Length != 16 || !amzDate.StartsWith(date, StringComparison.Ordinal)
            || !DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            || (TimeProvider.System.GetUtcNow() - at).Duration() > TimeSpan.FromMinutes(15))
        {
            return (service, region, "InvalidSignatureException", $"Signature expired or the date is wrong: {amzDate}.");
        }

        var names = signedHeaders.Split(';');
        if (!names.Contains("host") || names.Any(n => n.Any(char.IsAsciiLetterUpper)))
        {
            return (service, region, "InvalidSignatureException", "'Host' must be a signed header, and signed header names lowercase.");
        }

        var canonical = new StringBuilder();
        canonical.Append(request.Method).Append('\n');
        canonical.Append(Encode(request.Path.Value is { Length: > 0 } p ? p : "/", slash: true)).Append('\n');
        canonical.Append(string.Join('&', request.Query
            .SelectMany(q => q.Value.Select(v => (Name: Encode(q.Key, false), Value: Encode(v ?? "", false))))
            .OrderBy(q => q.Name, StringComparer.Ordinal).ThenBy(q => q.Value, StringComparer.Ordinal)
            .Select(q => $"{q.Name}={q.Value}"))).Append('\n');
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            var value = name == "host" ? request.Host.Value ?? "" : string.Join(',', request.Headers[name].Select(v => string.Join(' ', (v ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))));
            canonical.Append(name).Append(':').Append(value.Trim()).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(Convert.ToHexStringLower(SHA256.HashData(body)));
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{date}/{region}/{service}/aws4_request\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var step in new[] { date, region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(step));
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? (service, region, null, null)
            : (service, region, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    private static string Encode(string text, bool slash)
    {
        var result = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            result.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' || (slash && c == '/') ? c.ToString() : $"%{b:X2}");
        }

        return result.ToString();
    }
}
