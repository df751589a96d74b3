namespace Reeve.Bench;

/// <summary>One figure of one scenario.</summary>
internal sealed record Measurement(string Scenario, string Figure, double Value, string Unit, string Storage);
