using McGrad.Rl.Pipps;

namespace McGrad.Lab.Commands;

/// <summary>The three PIPPS gradient estimators in report order, with their short names.</summary>
internal static class PippsModes
{
    /// <summary>RP, LR, TP.</summary>
    public static IReadOnlyList<(PropagationMode Mode, string Name)> All { get; } =
    [
        (PropagationMode.Reparameterization, "RP"),
        (PropagationMode.LikelihoodRatio, "LR"),
        (PropagationMode.Total, "TP"),
    ];
}
