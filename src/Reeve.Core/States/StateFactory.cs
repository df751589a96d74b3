using Reeve.Core.Ids;
namespace Reeve.Core.States;

/// <summary>Builds states: from a client's proposal, and the named states the server writes itself.</summary>
public static class StateFactory
{
    /// <summary>
    /// The state a proposal stands for at <paramref name="now"/>: named after its type when it has no name, and,
    /// when SCHEDULED without a time, due now.
    /// </summary>
    public static State FromProposal(StateCreate proposal, DateTimeOffset now)
    {
        var details = proposal.StateDetails ?? new StateDetails();
        if (proposal.Type == StateType.Scheduled && details.ScheduledTime is null)
        {
            details = details with { ScheduledTime = now };
        }

        return new State
        {
            Id = SequentialGuid.Next(now),
            Type = proposal.Type,
            Name = string.IsNullOrWhiteSpace(proposal.Name) ? proposal.Type.DefaultName() : proposal.Name,
            Timestamp = now,
            Message = proposal.Message,
            StateDetails = details,
            Data = proposal.Data?.DeepClone(),
        };
    }

    /// <summary>A SCHEDULED state named <paramref name="name"/> (AwaitingRetry, AwaitingConcurrencySlot, Late), due at <paramref name="when"/>.</summary>
    public static State Scheduled(string name, DateTimeOffset when, DateTimeOffset now, string? message = null) => new()
    {
        Id = SequentialGuid.Next(now),
        Type = StateType.Scheduled,
        Name = name,
        Timestamp = now,
        Message = message,
        StateDetails = new StateDetails { ScheduledTime = when },
    };

    /// <summary>A state of <paramref name="type"/> with its default name.</summary>
    public static State Of(StateType type, DateTimeOffset now, string? message = null, string? name = null) => new()
    {
        Id = SequentialGuid.Next(now),
        Type = type,
        Name = name ?? type.DefaultName(),
        Timestamp = now,
        Message = message,
    };
}
