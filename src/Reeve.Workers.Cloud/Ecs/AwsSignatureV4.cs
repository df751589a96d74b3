using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Reeve.Workers.Ecs;

/// <summary>
/// AWS Signature Version 4 for requests signed in their <c>Authorization</c> header, as AWS's "Create a signed AWS API
/// request" reference describes it: the canonical request (method, URI path, sorted query, the signed headers lowercased,
/// trimmed and sorted, the payload's SHA-256), the string to sign (algorithm, date, credential scope, the canonical
/// request's hash), and the signature, an HMAC-SHA256 chain keyed by the secret key, date, region, service and
/// <c>aws4_request</c>. Checked against AWS's published test suite (<c>get-vanilla</c>, <c>post-x-www-form-urlencoded</c>...).
/// </summary>
public static class AwsSignatureV4
{
    /// <summary>The algorithm's name, as it starts the <c>Authorization</c> header.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Adds <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> (temporary credentials) and <c>Authorization</c> to the request.</summary>
    /// <param name="request">The request, with its content (if any) already set.</param>
    /// <param name="payload">The request's body, as sent (empty for none).</param>
    /// <param name="credentials">The access key.</param>
    /// <param name="region">The region of the credential scope.</param>
    /// <param name="service">The service's signing name (<c>ecs</c>, <c>iam</c>, <c>ec2</c>...).</param>
    /// <param name="now">The signing time.</param>
    public static void Sign(HttpRequestMessage request, ReadOnlySpan<byte> payload, AwsCredentials credentials, string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (credentials.SessionToken is { Length: > 0 } token)
        {
            request.Headers.Remove("X-Amz-Security-Token");
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }

        var headers = new List<KeyValuePair<string, string>> { new("host", uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}") };
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            if (!name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && !name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                headers.Add(new(name, string.Join(',', values)));
            }
        }

        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers.NonValidated)
            {
                if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    headers.Add(new(name, string.Join(',', values)));
                }
            }
        }

        var canonical = CanonicalRequest(request.Method.Method, uri.AbsolutePath, uri.Query, headers, Hex(SHA256.HashData(payload)), out var signedHeaders);
        var scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";
        var signature = Signature(credentials.SecretAccessKey, amzDate, region, service, StringToSign(amzDate, scope, canonical));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    /// <summary>
    /// The canonical request: the method, the path as sent, URI-encoded once more (as every service but S3 wants), the
    /// query sorted by name then value, each header lowercased with its value trimmed and inner runs of spaces made one,
    /// sorted, the signed headers' names, and the payload's hash.
    /// </summary>
    public static string CanonicalRequest(string method, string path, string query, IEnumerable<KeyValuePair<string, string>> headers, string payloadHash, out string signedHeaders)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(query);
        var canonicalPath = path.Length == 0 ? "/" : Encode(path, keepSlash: true);
        var pairs = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Name: Encode(Uri.UnescapeDataString(p[0]), keepSlash: false), Value: Encode(Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""), keepSlash: false)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}");
        var canonicalHeaders = headers
            .GroupBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(',', g.Select(h => Trim(h.Value)))))
            .ToList();
        signedHeaders = string.Join(';', canonicalHeaders.Select(h => h.Name));
        var text = new StringBuilder();
        text.Append(method).Append('\n').Append(canonicalPath).Append('\n').Append(string.Join('&', pairs)).Append('\n');
        foreach (var (name, value) in canonicalHeaders)
        {
            text.Append(name).Append(':').Append(value).Append('\n');
        }

        text.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return text.ToString();
    }

    /// <summary>The string to sign: the algorithm, the date, the credential scope, the canonical request's SHA-256.</summary>
    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    /// <summary>The signature: the string to sign's HMAC-SHA256 with the key derived from the secret, date, region and service.</summary>
    public static string Signature(string secretAccessKey, string amzDate, string region, string service, string stringToSign)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(amzDate[..8]));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>Lowercase hexadecimal.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>URI-encodes every byte but the unreserved characters (A-Z a-z 0-9 - . _ ~), in uppercase hex.</summary>
    public static string Encode(string text, bool keepSlash)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' || (keepSlash && c == '/'))
            {
                result.Append(c);
            }
            else
            {
                result.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return result.ToString();
    }

    private static string Trim(string value) => string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
