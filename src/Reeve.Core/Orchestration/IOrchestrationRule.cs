using Reeve.Core.States;

namespace Reeve.Core.Orchestration;

/// <summary>One rule of a policy: which transitions it concerns, and what it does to them.</summary>
public interface IOrchestrationRule
{
    /// <summary>The states it applies from; null stands for a run with no state yet.</summary>
    IReadOnlySet<StateType?> From { get; }

    /// <summary>The states it applies to.</summary>
    IReadOnlySet<StateType> To { get; }

    /// <summary>Looks at the transition and may change, reject, delay or abort it.</summary>
    void Apply(Transition transition);
}

/// <summary>Sets of states for rules.</summary>
public static class StateSets
{
    /// <summary>Every state, and no state.</summary>
    public static IReadOnlySet<StateType?> AnyFrom { get; } = Enum.GetValues<StateType>().Select(t => (StateType?)t).Append(null).ToHashSet();

    /// <summary>Every state.</summary>
    public static IReadOnlySet<StateType> Any { get; } = Enum.GetValues<StateType>().ToHashSet();

    /// <summary>The terminal states.</summary>
    public static IReadOnlySet<StateType?> TerminalFrom { get; } = StateTypes.Terminal.Select(t => (StateType?)t).ToHashSet();

    /// <summary>The given states, as a from-set.</summary>
    public static IReadOnlySet<StateType?> From(params StateType[] types) => types.Select(t => (StateType?)t).ToHashSet();

    /// <summary>The given states, as a to-set.</summary>
    public static IReadOnlySet<StateType> To(params StateType[] types) => types.ToHashSet();
}
