using System.CommandLine;
using System.Globalization;

namespace McGrad.Lab.Commands;

/// <summary>
/// <c>toy relax</c>: the RELAX toy (minimise E[(b − t)²], b ~ Bernoulli(σ(θ))) trained with REINFORCE, DisARM, REBAR and
/// RELAX; curves of the exact loss − min, the gradient variance and σ(θ).
/// </summary>
public sealed class RelaxToyCommand : ILabCommand
{
    /// <summary>--samples when not given: variance estimates per checkpoint (the zoo's default would make this command slow).</summary>
    public const int DefaultSamples = 2000;

    private readonly Option<int> _steps = new("--steps") { Description = "Adam steps on θ (10 … 100,000).", DefaultValueFactory = _ => 3000 };
    private readonly Option<double> _target = new("--target") { Description = "t in f(b) = (b − t)², strictly between 0 and 1 (the RELAX paper: 0.499).", DefaultValueFactory = _ => 0.499 };
    private readonly Option<double> _lr = new("--lr") { Description = "Adam learning rate for θ and for the control variates' parameters, in (0, 1].", DefaultValueFactory = _ => 0.01 };

    /// <summary>Creates the command's options (--steps, --target, --lr) with their validators.</summary>
    public RelaxToyCommand()
    {
        _steps.Validators.Add(r => CommonOptions.IntRange(r, _steps, 10, 100_000));
        _target.Validators.Add(r => CommonOptions.Real(r, "--target", v => v > 0 && v < 1, "a number strictly between 0 and 1"));
        _lr.Validators.Add(r => CommonOptions.Real(r, "--lr", v => v > 0 && v <= 1, "a number in (0, 1]"));
        Options = [_steps, _target, _lr];
    }

    /// <inheritdoc/>
    public string Name => "toy relax";

    /// <inheritdoc/>
    public string Description => "The RELAX toy (Grathwohl et al. 2018, Fig. 1): minimise E[(b − t)²], b ~ Bernoulli(σ(θ)), with REINFORCE, DisARM, REBAR and RELAX (control variates tuned online); curves of the exact loss and of the gradient variance (--samples estimates per checkpoint, default 2,000).";

    /// <inheritdoc/>
    public int Order => 30;

    /// <inheritdoc/>
    public IReadOnlyList<Option> Options { get; }

    /// <inheritdoc/>
    public int Run(ParseResult parse, LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(lab);
        var steps = parse.GetValue(_steps);
        var target = parse.GetValue(_target);
        var lr = parse.GetValue(_lr);
        var run = lab.NewRun(parse, Name);
        if (!CommonOptions.Given(parse, lab.Common.Samples))
        {
            run.Samples = DefaultSamples;
        }

        var every = Math.Max(1, steps / 50);
        var methods = RelaxToy.Methods;
        var traces = new List<(string Name, RelaxToy.Trace Trace)>();
        var key = new Randomness.RngKey(run.Seed);
        return lab.Execute(parse, run, methods.Count, onUnit =>
        {
            foreach (var m in methods)
            {
                if (lab.Cancel.IsCancellationRequested)
                {
                    break;
                }

                onUnit?.Invoke(m.Name);
                traces.Add((m.Name, RelaxToy.Train(m, target, steps, every, run.Samples, lr, key, lab.Cancel)));
            }
        }, () =>
        {
            var minimum = Math.Min(target * target, (1 - target) * (1 - target));
            run.Curves.Add(new CurveSet($"RELAX toy, t = {target.ToString("G4", CultureInfo.InvariantCulture)}: exact loss E[(b − t)²] − min", "Adam step", "loss − min", true,
                [.. traces.Select(t => new Curve(t.Name, t.Trace.Steps, t.Trace.Loss.Select(l => l - minimum).ToArray()))]));
            run.Curves.Add(new CurveSet($"RELAX toy: variance of the gradient estimate ({run.Samples} estimates per point)", "Adam step", "variance", true,
                [.. traces.Select(t => new Curve(t.Name, t.Trace.Steps, t.Trace.Variance))]));
            run.Curves.Add(new CurveSet("RELAX toy: σ(θ) (the optimum is 0 for t < ½)", "Adam step", "σ(θ)", false,
                [.. traces.Select(t => new Curve(t.Name, t.Trace.Steps, t.Trace.Theta.Select(th => 1 / (1 + Math.Exp(-th))).ToArray()))]));
        });
    }
}
