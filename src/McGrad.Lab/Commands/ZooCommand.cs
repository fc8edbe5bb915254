using System.CommandLine;

namespace McGrad.Lab.Commands;

/// <summary><c>zoo</c> (also the default command): every catalog estimator on every catalog problem, with common random numbers per problem.</summary>
public sealed class ZooCommand : ILabCommand
{
    /// <inheritdoc/>
    public string Name => "zoo";

    /// <inheritdoc/>
    public string Description => "Every estimator on every canonical problem (R1 Gaussian costs, R2 Bernoulli toy, R3 ES quadratic, multivariate Bernoulli, top-k synthetic), common random numbers per problem; the default command.";

    /// <inheritdoc/>
    public int Order => 0;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; } = [];

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var run = lab.NewRun(parse, Name);
        return lab.Measure(parse, run, Catalog.Problems, Catalog.Estimators);
    }
}
