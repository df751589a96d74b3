using System.Globalization;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Reeve.Workers.Kubernetes;

/// <summary>
/// Copies a pod's output to the worker's console as it is written. The stream is read with timestamps; when it
/// drops before the pod has ended, it is opened again from a little before the last line seen, and the lines
/// already copied (timestamps not after the last one) are skipped.
/// </summary>
internal sealed class PodOutput : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _copy = Task.CompletedTask;

    public static PodOutput Start(IKubernetes client, string ns, V1Pod pod, KubernetesInfrastructureOptions options, Func<bool> podEnded)
    {
        var output = new PodOutput();
        output._copy = Task.Run(() => output.CopyAsync(client, ns, pod.Metadata.Name, pod.Spec?.Containers?.FirstOrDefault()?.Name, options, podEnded), CancellationToken.None);
        return output;
    }

    /// <summary>Waits up to <paramref name="grace"/> for the copy to reach the end of the output, then stops it.</summary>
    public async Task FinishAsync(TimeSpan grace)
    {
        await Task.WhenAny(_copy, Task.Delay(grace, CancellationToken.None));
        await _stop.CancelAsync();
        await _copy.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public void Dispose() => _stop.Dispose();

    /// <summary>The last <paramref name="lines"/> lines a pod wrote (for a crashed run's logs), or null when they cannot be read.</summary>
    public static async Task<string?> TailAsync(IKubernetes client, string ns, V1Pod pod, int lines)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, ns,
                container: pod.Spec?.Containers?.FirstOrDefault()?.Name, tailLines: lines, cancellationToken: timeout.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(timeout.Token);
            return text.TrimEnd('\n', '\r') is { Length: > 0 } trimmed ? trimmed : null;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    private async Task CopyAsync(IKubernetes client, string ns, string pod, string? container, KubernetesInfrastructureOptions options, Func<bool> podEnded)
    {
        DateTimeOffset? last = null;
        for (var attempt = 0; !_stop.IsCancellationRequested; attempt++)
        {
            try
            {
                int? since = last is { } t ? (int)Math.Ceiling((options.Clock.GetUtcNow() - t).TotalSeconds) + 1 : null;
                await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, container: container, follow: true, timestamps: true,
                    sinceSeconds: since, cancellationToken: _stop.Token);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var (at, text) = Split(line);
                    if (at is { } stamp && last is { } seen && stamp <= seen)
                    {
                        continue;
                    }

                    last = at ?? last;
                    await options.Output.WriteLineAsync(text);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or OperationCanceledException)
            {
                if (attempt == 0)
                {
                    await options.Error.WriteLineAsync($"The output of pod {pod} dropped ({e.Message.Trim()}); reading it again.");
                }
            }

            if (podEnded())
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>A line read with timestamps: its RFC 3339 time and its text.</summary>
    internal static (DateTimeOffset? At, string Text) Split(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && DateTimeOffset.TryParse(line.AsSpan(0, space), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return (at, line[(space + 1)..]);
        }

        return (null, line);
    }
}
