using McGrad.Autodiff;
using McGrad.Optim;
using McGrad.Randomness;

namespace McGrad.Estimators.Evolution;

/// <summary>
/// An ask/tell evolution strategy with search distribution N(θ, σ²I) that <b>maximises</b> a fitness F:
/// <see cref="Ask"/> returns the population x_i = θ + σε_i (antithetic: θ ± σε_i), <see cref="Tell"/> takes F(x_i),
/// forms ĝ = (1/(mσ)) Σ_i w_i·ε_i from the (shaped) fitness and steps θ with a gradient transformation fed the loss
/// gradient −ĝ + λθ, i.e. it descends L(θ) = −J(θ) + (λ/2)‖θ‖².
/// </summary>
/// <remarks>
/// <para><b>Population.</b> With population size n: plain, m = n noise vectors and x_i = θ + σε_i; antithetic (n even),
/// m = n/2 and rows 0…m−1 are θ + σε_i, rows m…n−1 are θ − σε_i (same i order). θ has shape [*batch, d] (a vector [d],
/// or a batch of independent problems [B, d]); the population has shape [n, *batch, d] and the fitness [n, *batch].
/// Shaping is applied across the n values of each batch element, never across batch elements.</para>
/// <para><b>Weights.</b> w_i = u_i (plain) or (u_i − u_{m+i})/2 (antithetic) with u = the shaped fitness
/// (<see cref="FitnessShaping"/>; default centred ranks, as in Salimans et al. 2017). Without shaping ĝ is the unbiased
/// <see cref="GaussianSmoothing"/> estimate of ∇J, J(θ) = E[F(θ + σε)]; with shaping it is a biased ascent direction.</para>
/// <para><b>Sign and weight decay.</b> Tell maximises the fitness it is given; to minimise a loss, tell its negation
/// (<see cref="Minimize"/> does). The transformation receives the gradient of the loss −J(θ) + (λ/2)‖θ‖², i.e. −ĝ + λθ
/// (weight decay is subtracted from the ascent direction before the transformation: an L2 penalty, coupled into Adam's
/// moments as in Salimans et al.'s code). For decoupled decay pass λ = 0 and <see cref="Transforms.AdamW"/>.
/// Any optimizer of <see cref="Transforms"/> works as it is, since all of them descend.</para>
/// <para><b>Determinism.</b> Generation t draws its noise from key.FoldIn(t): the whole run depends on the key alone.
/// Ask may be called several times per generation (same population); Tell advances the generation.</para>
/// <para>θ is a private copy of the initial tensor (the caller's tensor is never changed); <see cref="Theta"/> returns
/// a copy of the current value.</para>
/// </remarks>
public sealed class EvolutionStrategy
{
    private readonly Tensor _theta;
    private readonly Tensor _sigma;
    private readonly IGradientTransformation _transform;
    private readonly TransformState _state;
    private readonly RngKey _key;
    private Tensor? _noise;

    /// <summary>An evolution strategy stepping θ by plain gradient ascent θ ← θ + lr_t·(ĝ − λθ).</summary>
    /// <param name="initial">θ₀, shape [d] or [*batch, d], Float32 or Float64 (copied).</param>
    /// <param name="sigma">σ &gt; 0, the noise scale.</param>
    /// <param name="populationSize">n ≥ 1 (even when antithetic; ≥ 2 with shaping).</param>
    /// <param name="learningRate">lr ≥ 0, or a schedule (SGD: <see cref="Transforms.Sgd"/>).</param>
    /// <param name="key">The random key of the whole run.</param>
    /// <param name="antithetic">Mirrored pairs θ ± σε (default true).</param>
    /// <param name="shaping">Fitness shaping (default centred ranks).</param>
    /// <param name="weightDecay">λ ≥ 0 (default 0).</param>
    /// <exception cref="ArgumentException">See <see cref="EvolutionStrategy(Tensor, double, int, IGradientTransformation, RngKey, bool, FitnessShaping, double)"/>.</exception>
    public EvolutionStrategy(Tensor initial, double sigma, int populationSize, Schedule learningRate, RngKey key, bool antithetic = true, FitnessShaping shaping = FitnessShaping.CentredRanks, double weightDecay = 0)
        : this(initial, sigma, populationSize, Transforms.Sgd(learningRate ?? throw new ArgumentNullException(nameof(learningRate))), key, antithetic, shaping, weightDecay)
    {
    }

    /// <summary>An evolution strategy stepping θ with a gradient transformation (e.g. <c>Transforms.Adam(0.01)</c>).</summary>
    /// <param name="initial">θ₀, shape [d] or [*batch, d], Float32 or Float64 (copied).</param>
    /// <param name="sigma">σ &gt; 0, the noise scale.</param>
    /// <param name="populationSize">n ≥ 1 (even when antithetic; ≥ 2 with shaping).</param>
    /// <param name="optimizer">A descending transformation that ends in a learning-rate step (any optimizer of <see cref="Transforms"/>); it receives −ĝ + λθ.</param>
    /// <param name="key">The random key of the whole run.</param>
    /// <param name="antithetic">Mirrored pairs θ ± σε (default true).</param>
    /// <param name="shaping">Fitness shaping (default centred ranks).</param>
    /// <param name="weightDecay">λ ≥ 0 (default 0).</param>
    /// <exception cref="ArgumentException">initial is a scalar or not floating point; σ is not finite and &gt; 0; the population
    /// is odd with antithetic sampling or a single value with shaping; λ is negative or not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">populationSize &lt; 1 or an enum value is undefined.</exception>
    public EvolutionStrategy(Tensor initial, double sigma, int populationSize, IGradientTransformation optimizer, RngKey key, bool antithetic = true, FitnessShaping shaping = FitnessShaping.CentredRanks, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!initial.DType.IsFloatingPoint() || initial.Rank == 0)
        {
            throw new ArgumentException($"EvolutionStrategy: initial must be a Float32 or Float64 tensor of shape [d] or [*batch, d], got {initial.Shape} {initial.DType}.", nameof(initial));
        }

        if (!(sigma > 0) || !double.IsFinite(sigma))
        {
            throw new ArgumentException($"EvolutionStrategy: sigma must be finite and > 0, got {sigma}.", nameof(sigma));
        }

        if (populationSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(populationSize), populationSize, $"EvolutionStrategy: populationSize must be ≥ 1, got {populationSize}.");
        }

        if (antithetic && populationSize % 2 != 0)
        {
            throw new ArgumentException($"EvolutionStrategy: antithetic sampling needs an even population (pairs θ ± σε), got populationSize = {populationSize}.", nameof(populationSize));
        }

        if (!Enum.IsDefined(shaping))
        {
            throw new ArgumentOutOfRangeException(nameof(shaping), shaping, $"EvolutionStrategy: unknown fitness shaping {shaping}.");
        }

        if (shaping != FitnessShaping.None && populationSize < 2)
        {
            throw new ArgumentException($"EvolutionStrategy: fitness shaping {shaping} needs populationSize ≥ 2, got {populationSize} (a single shaped value is always 0).", nameof(populationSize));
        }

        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay))
        {
            throw new ArgumentException($"EvolutionStrategy: weightDecay must be finite and ≥ 0, got {weightDecay}.", nameof(weightDecay));
        }

        using (Autograd.NoGrad())
        {
            _theta = initial.Detach().Clone().Detach();
        }

        _sigma = Tensor.Scalar(sigma, initial.DType);
        Sigma = sigma;
        PopulationSize = populationSize;
        Antithetic = antithetic;
        Shaping = shaping;
        WeightDecay = weightDecay;
        _key = key;
        _transform = weightDecay > 0 ? Transforms.Chain(Transforms.AddDecayedWeights(weightDecay), optimizer) : optimizer;
        _state = _transform.Init([_theta]);
    }

    /// <summary>σ, the noise scale.</summary>
    public double Sigma { get; }

    /// <summary>n, the number of candidates per generation.</summary>
    public int PopulationSize { get; }

    /// <summary>Whether candidates come in mirrored pairs θ ± σε.</summary>
    public bool Antithetic { get; }

    /// <summary>The fitness shaping.</summary>
    public FitnessShaping Shaping { get; }

    /// <summary>λ, the L2 weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>Number of completed generations (calls of <see cref="Tell"/>).</summary>
    public int Generation { get; private set; }

    /// <summary>A copy of the current θ.</summary>
    public Tensor Theta => _theta.Clone();

    /// <summary>The shape of the population [n, *θ.shape].</summary>
    public Shape PopulationShape => new([PopulationSize, .. _theta.Shape]);

    /// <summary>The shape of the fitness [n, *batch] expected by <see cref="Tell"/> (batch = θ.shape less its last axis).</summary>
    public Shape FitnessShape => new([PopulationSize, .. _theta.Shape.ToArray()[..^1]]);

    /// <summary>
    /// The last gradient estimate ĝ = (1/(mσ)) Σ_i w_i·ε_i of the fitness (before weight decay and the transformation),
    /// shape of θ; null before the first <see cref="Tell"/>.
    /// </summary>
    public Tensor? LastGradient { get; private set; }

    /// <summary>
    /// The population of generation <see cref="Generation"/>: shape [n, *θ.shape], rows θ + σε_i (antithetic: θ + σε_i for
    /// i &lt; n/2, then θ − σε_i), with ε drawn from key.FoldIn(generation). Calling it again before Tell returns the same values.
    /// </summary>
    public Tensor Ask()
    {
        var m = Antithetic ? PopulationSize / 2 : PopulationSize;
        _noise ??= Sampler.Normal(_key.FoldIn((uint)Generation), new Shape([m, .. _theta.Shape]), _theta.DType);
        using (Autograd.NoGrad())
        {
            var delta = _sigma * _noise;
            return Antithetic ? Tensor.Concat([_theta + delta, _theta - delta]) : _theta + delta;
        }
    }

    /// <summary>
    /// Takes the fitness of the population returned by <see cref="Ask"/> (higher is better), computes
    /// ĝ = (1/(mσ)) Σ_i w_i·ε_i and steps θ with the transformation fed −ĝ + λθ; advances the generation.
    /// </summary>
    /// <param name="fitness">F(x_i), shape [n, *batch] (<see cref="FitnessShape"/>), θ's dtype, no NaN.</param>
    /// <exception cref="InvalidOperationException">Ask was not called for this generation.</exception>
    /// <exception cref="ArgumentException">Wrong shape or dtype, or a NaN (or, with standardisation, an infinite) value.</exception>
    public void Tell(Tensor fitness)
    {
        ArgumentNullException.ThrowIfNull(fitness);
        var noise = _noise ?? throw new InvalidOperationException($"EvolutionStrategy.Tell: call Ask() first; generation {Generation} has no population yet, so the fitness cannot be matched to candidates.");
        if (fitness.Shape != FitnessShape || fitness.DType != _theta.DType)
        {
            throw new ArgumentException($"EvolutionStrategy.Tell: fitness is {fitness.Shape} {fitness.DType}; expected {FitnessShape} {_theta.DType} (one value per candidate of the population {PopulationShape}, in θ's dtype).", nameof(fitness));
        }

        var values = fitness.ToDoubleArray();
        for (var i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(values[i]))
            {
                throw new ArgumentException($"EvolutionStrategy.Tell: fitness of shape {fitness.Shape} is NaN at flat index {i} (generation {Generation}); θ was not changed.", nameof(fitness));
            }
        }

        var gradient = Smoothing.Combine(Smoothing.Weights(fitness, Antithetic, Shaping), noise, _sigma, PerturbationForm.Epsilon);
        Tensor?[] updates = [-gradient];
        _transform.Update(updates, _state, [_theta]);
        Optimizer.ApplyUpdatesInPlace([_theta], updates);
        LastGradient = gradient;
        _noise = null;
        Generation++;
    }

    /// <summary>
    /// Runs <paramref name="generations"/> ask/tell steps maximising <paramref name="fitness"/>, which maps the whole
    /// population [n, *θ.shape] to values [n, *batch] (e.g. <c>x => -x.Square().Sum(-1)</c>); returns a copy of θ.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">generations &lt; 0.</exception>
    public Tensor Maximize(Func<Tensor, Tensor> fitness, int generations) => Run(fitness, generations, negate: false, "Maximize");

    /// <summary>
    /// Runs <paramref name="generations"/> ask/tell steps minimising <paramref name="loss"/> (tells −loss), which maps the
    /// whole population [n, *θ.shape] to values [n, *batch]; returns a copy of θ.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">generations &lt; 0.</exception>
    public Tensor Minimize(Func<Tensor, Tensor> loss, int generations) => Run(loss, generations, negate: true, "Minimize");

    private Tensor Run(Func<Tensor, Tensor> f, int generations, bool negate, string op)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (generations < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(generations), generations, $"EvolutionStrategy.{op}: generations must be ≥ 0, got {generations}.");
        }

        for (var t = 0; t < generations; t++)
        {
            Tensor values;
            using (Autograd.NoGrad())
            {
                values = f(Ask()).Detach();
                if (negate)
                {
                    values = -values;
                }
            }

            Tell(values);
        }

        return Theta;
    }
}
