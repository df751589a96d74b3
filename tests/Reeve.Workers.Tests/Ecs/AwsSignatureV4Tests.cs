using System.Security.Cryptography;
using System.Text;
using Reeve.Workers.Ecs;

namespace Reeve.Workers.Tests.Ecs;

/// <summary>
/// Known answers from AWS's published Signature Version 4 test suite (aws-sig-v4-test-suite): the example key
/// AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, region us-east-1, service "service", 20150830T123600Z.
/// </summary>
public sealed class AwsSignatureV4Tests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Date = "20150830T123600Z";
    private const string Scope = "20150830/us-east-1/service/aws4_request";
    private static readonly string EmptyHash = Convert.ToHexStringLower(SHA256.HashData([]));

    private static string SignatureOf(string method, string path, string query, (string, string)[] headers, string body, out string canonical)
    {
        canonical = AwsSignatureV4.CanonicalRequest(method, path, query,
            headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2)), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))), out _);
        return AwsSignatureV4.Signature(Secret, Date, "us-east-1", "service", AwsSignatureV4.StringToSign(Date, Scope, canonical));
    }

    private static readonly (string, string)[] Vanilla = [("Host", "example.amazonaws.com"), ("X-Amz-Date", Date)];

    [Fact]
    public void GetVanilla_CanonicalRequest_StringToSign_AndSignature_AreAwsPublishedOnes()
    {
        var signature = SignatureOf("GET", "/", "", Vanilla, "", out var canonical);

        Assert.Equal($"GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:{Date}\n\nhost;x-amz-date\n{EmptyHash}", canonical);
        Assert.Equal($"AWS4-HMAC-SHA256\n{Date}\n{Scope}\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            AwsSignatureV4.StringToSign(Date, Scope, canonical));
        Assert.Equal("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", signature);
    }

    [Theory]
    [InlineData("post-vanilla", "POST", "/", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    [InlineData("get-vanilla-query-order-key-case", "GET", "/", "?Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    [InlineData("get-vanilla-query-unreserved", "GET", "/",
        "?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197")]
    [InlineData("get-vanilla-utf8-query", "GET", "/", "?%E1%88%B4=bar", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04")]
    [InlineData("get-utf8", "GET", "/ሴ", "", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85")]
    [InlineData("post-vanilla-query", "POST", "/", "?Param1=value1", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11")]
    public void Vector_WithTheVanillaHeaders_HasAwsPublishedSignature(string vector, string method, string path, string query, string expected)
    {
        Assert.True(SignatureOf(method, path, query, Vanilla, "", out var canonical) == expected, $"{vector}:\n{canonical}");
    }

    [Fact]
    public void HeaderVectors_SortTrimAndLowercaseTheHeaders_AsAwsPublished()
    {
        Assert.Equal("c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
            SignatureOf("POST", "/", "", [("X-Amz-Date", Date), ("My-Header1", "value1"), ("Host", "example.amazonaws.com")], "", out _));
        Assert.Equal("cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
            SignatureOf("POST", "/", "", [.. Vanilla, ("My-Header1", "VALUE1")], "", out _));
        Assert.Equal("acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
            SignatureOf("GET", "/", "", [.. Vanilla, ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")], "", out _));
    }

    [Fact]
    public void PostXWwwFormUrlencoded_SignedFromAnHttpRequest_GivesAwsPublishedAuthorization()
    {
        var body = "Param1=value1"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");

        AwsSignatureV4.Sign(request, body, new AwsCredentials("AKIDEXAMPLE", Secret, null, "us-east-1"), "us-east-1", "service",
            new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        Assert.Equal(Date, request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, "
            + "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a", request.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public void GetVanilla_SignedFromAnHttpRequest_GivesAwsPublishedAuthorization_AndASessionTokenIsSentAndSigned()
    {
        using var plain = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");
        using var temporary = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");
        var at = new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

        AwsSignatureV4.Sign(plain, [], new AwsCredentials("AKIDEXAMPLE", Secret, null, "us-east-1"), "us-east-1", "service", at);
        AwsSignatureV4.Sign(temporary, [], new AwsCredentials("AKIDEXAMPLE", Secret, "session-token", "us-east-1"), "us-east-1", "service", at);

        Assert.EndsWith("SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            plain.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
        Assert.Equal("session-token", temporary.Headers.GetValues("X-Amz-Security-Token").Single());
        Assert.Contains("SignedHeaders=host;x-amz-date;x-amz-security-token,", temporary.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
    }
}
