using McGrad.Autodiff;
using McGrad.Randomness;

namespace McGrad.Rl.Pipps;

/// <summary>
/// A stochastic chain over P particles, x_{t+1} = μ_t + σ_t ⊙ ε_t with ε_t ~ N(0, I), whose sampling nodes pass back
/// pathwise (RP), likelihood-ratio (LR) or total-propagation (TP) gradient messages for μ_t and σ_t
/// (<see cref="PropagationMode"/>). The loss is L = (1/P) Σ_i Σ_c c_{c,i}, the particles' mean total cost.
/// </summary>
/// <remarks>
/// <para><b>Use.</b> One chain per gradient estimate: <see cref="Sample"/> each step (μ_t, σ_t computed from the previous
/// sample and the parameters with ordinary tensor ops), <see cref="AddCost"/> each step's per-particle cost, then
/// differentiate <see cref="Loss"/> (<see cref="Tensor.Backward"/> or <see cref="Autograd.Grad(Tensor, Tensor, Tensor?, bool, bool?)"/>).</para>
/// <para><b>Messages at node t</b> (built on <see cref="CustomFunction"/>, so the choice happens inside the backward
/// pass and the chosen message flows on into μ_t, σ_t and from there to the parameters and to earlier nodes). Let
/// g = ∂L/∂x_{t+1} (per particle, already mixed by the later nodes) and Rᵢ = Σ of particle i's costs added after this
/// node's sample. RP: (g, g ⊙ ε). LR: (Âᵢ ε/σ, Âᵢ (ε² − 1)/σ) with the leave-one-out baseline
/// Âᵢ = (Rᵢ − Σ_{j≠i} Rⱼ/(P − 1))/P, the score of N(x; μ, σ²) times the baselined downstream cost. TP: k·LR + (1 − k)·RP
/// with k = <see cref="InverseVarianceWeighting.Weight(IReadOnlyList{Tensor}, IReadOnlyList{Tensor})"/> of the two
/// messages, whose variances are taken across particles. By default the weight is chosen on the messages for the
/// distribution parameters (μ_t, σ_t), a proxy that costs nothing extra; given per-particle parameter copies as weight
/// targets (<see cref="Sample"/>) it is chosen on each particle's gradient for them, as the paper and proppo's demo do.</para>
/// <para><b>Bias.</b> RP and LR are unbiased. TP is unbiased for a fixed k (<see cref="FixedWeight"/>); with k estimated
/// from the same particles it is biased, and consistent: on the linear-Gaussian chain of the tests the bias of ∂/∂θ was
/// −11 % at P = 16 and −3 % at P = 128 (docs/pipps.md).</para>
/// <para>The backward reads numbers (<see cref="Tensor.Item"/>), so it cannot be recorded under <c>createGraph</c>.
/// Parmas, Rasmussen, Peters and Doya (2018), "PIPPS: Flexible Model-Based Policy Search Robust to the Curse of Chaos".</para>
/// </remarks>
public sealed class StochasticChain
{
    private readonly List<Tensor> _costs = [];
    private readonly List<double> _weights = [];
    private readonly List<int> _costStarts = [];
    private Tensor? _total;
    private bool _sealed;

    /// <summary>A chain with no nodes yet.</summary>
    /// <param name="mode">The message each node passes back.</param>
    /// <param name="particles">P ≥ 1 for RP; P ≥ 2 for LR and TP (the leave-one-out baseline and the variances need two).</param>
    /// <param name="fixedWeight">For <see cref="PropagationMode.Total"/> only: a fixed k_LR in [0, 1] used at every node
    /// instead of the inverse-variance weight (null: the inverse-variance weight). With a fixed k the mix is unbiased.</param>
    /// <exception cref="ArgumentOutOfRangeException">P is too small for the mode, or the fixed weight is outside [0, 1].</exception>
    /// <exception cref="ArgumentException">A fixed weight with a mode other than Total.</exception>
    public StochasticChain(PropagationMode mode, int particles, double? fixedWeight = null)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), $"StochasticChain: unknown mode {mode}.");
        }

        var min = mode == PropagationMode.Reparameterization ? 1 : 2;
        if (particles < min)
        {
            throw new ArgumentOutOfRangeException(nameof(particles), $"StochasticChain: {mode} needs particles ≥ {min}; got {particles} (the leave-one-out baseline and the variances across particles need at least two).");
        }

        if (fixedWeight is { } w)
        {
            if (mode != PropagationMode.Total)
            {
                throw new ArgumentException($"StochasticChain: fixedWeight applies to PropagationMode.Total only; got mode {mode}.", nameof(fixedWeight));
            }

            if (!(w >= 0 && w <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(fixedWeight), $"StochasticChain: fixedWeight must be in [0, 1]; got {w}.");
            }
        }

        Mode = mode;
        Particles = particles;
        FixedWeight = fixedWeight;
    }

    /// <summary>The fixed k_LR of a <see cref="PropagationMode.Total"/> chain, or null for the inverse-variance weight.</summary>
    public double? FixedWeight { get; }

    /// <summary>The message each node passes back.</summary>
    public PropagationMode Mode { get; }

    /// <summary>P, the number of particles (the first axis of every state and cost).</summary>
    public int Particles { get; }

    /// <summary>Sampling nodes so far.</summary>
    public int Nodes => _weights.Count;

    /// <summary>
    /// k_LR of each node in the latest backward pass (0 for RP, 1 for LR, the inverse-variance weight for TP); NaN for a
    /// node the backward pass has not reached.
    /// </summary>
    public IReadOnlyList<double> LikelihoodRatioWeights => _weights;

    /// <summary>
    /// x = μ + σ ⊙ ε with ε ~ N(0, I) drawn from <paramref name="key"/>: the next state of every particle, a node that
    /// passes back this chain's <see cref="Mode"/> messages for μ and σ.
    /// </summary>
    /// <param name="mean">μ, [P, D].</param>
    /// <param name="std">σ, [P, D], every element &gt; 0 (it may or may not require gradients).</param>
    /// <param name="key">The key of this node's noise.</param>
    /// <param name="weightTargets">Optional, for an adaptive <see cref="PropagationMode.Total"/> chain: per-particle
    /// copies of the parameters ([P, …] each, recorded, used by this step only; e.g. the policy's parameters expanded over
    /// particles). Then k is the inverse-variance weight of the two messages' per-particle gradients for these tensors,
    /// Σ_d Var_i(∂(m_i · μ_i)/∂w_{i,d}) — the weighting of PIPPS and proppo's demo — at the cost of two extra partial
    /// backward passes per node; without them k is computed on the messages for (μ, σ).</param>
    /// <exception cref="ArgumentException">A shape is not [P, D], the shapes or dtypes differ, σ has an element ≤ 0, or
    /// weight targets are given to a chain that is not adaptive TP, are not [P, …] or do not require gradients.</exception>
    /// <exception cref="InvalidOperationException">The chain was sealed by <see cref="Loss"/>.</exception>
    public Tensor Sample(Tensor mean, Tensor std, RngKey key, IReadOnlyList<Tensor>? weightTargets = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        ThrowIfSealed(nameof(Sample));
        if (weightTargets is not null)
        {
            if (Mode != PropagationMode.Total || FixedWeight is not null)
            {
                throw new ArgumentException($"StochasticChain.Sample: weightTargets apply to an adaptive Total chain only; this chain is {Mode}{(FixedWeight is null ? "" : " with a fixed weight")}.", nameof(weightTargets));
            }

            foreach (var w in weightTargets)
            {
                if (w.Rank == 0 || w.Shape[0] != Particles || !w.RequiresGrad)
                {
                    throw new ArgumentException($"StochasticChain.Sample: every weight target must be [P, …] with P = {Particles} and require gradients; got {w.Shape} (requires grad: {w.RequiresGrad}).", nameof(weightTargets));
                }
            }
        }

        if (mean.Rank != 2 || mean.Shape[0] != Particles)
        {
            throw new ArgumentException($"StochasticChain.Sample: mean must be [P, D] with P = {Particles}; got {mean.Shape}.", nameof(mean));
        }

        if (std.Shape != mean.Shape || std.DType != mean.DType)
        {
            throw new ArgumentException($"StochasticChain.Sample: std must have the mean's shape and dtype ({mean.Shape} {mean.DType}); got {std.Shape} {std.DType}.", nameof(std));
        }

        using (Autograd.NoGrad())
        {
            var min = std.Min().Item();
            if (!(min > 0))
            {
                throw new ArgumentException($"StochasticChain.Sample: every std must be > 0; the smallest is {min}.", nameof(std));
            }
        }

        var node = _weights.Count;
        var costStart = _costs.Count;
        _weights.Add(double.NaN);
        _costStarts.Add(costStart);
        var eps = Sampler.Normal(key, mean.Shape, mean.DType);
        return CustomFunction.Apply(
            $"StochasticChain.Sample[{node}]",
            [mean, std],
            xs => xs[0] + (xs[1] * eps),
            (xs, _, g) => Messages(node, xs[0], xs[1], eps, g, weightTargets));
    }

    /// <summary>Adds one cost per particle: L grows by (1/P) Σ_i cost_i, and the LR messages of earlier nodes see it.</summary>
    /// <param name="cost">[P], recorded (its gradient flows into the states and parameters it depends on).</param>
    /// <exception cref="ArgumentException">The shape is not [P].</exception>
    /// <exception cref="InvalidOperationException">The chain was sealed by <see cref="Loss"/>.</exception>
    public void AddCost(Tensor cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ThrowIfSealed(nameof(AddCost));
        if (cost.Rank != 1 || cost.Shape[0] != Particles)
        {
            throw new ArgumentException($"StochasticChain.AddCost: cost must be [P] with P = {Particles}; got {cost.Shape}.", nameof(cost));
        }

        _costs.Add(cost.Detach());
        _total = _total is null ? cost : _total + cost;
    }

    /// <summary>
    /// L = (1/P) Σ_i Σ_c c_{c,i}, the scalar to differentiate; seals the chain (no more nodes or costs: the LR messages
    /// are the costs added so far).
    /// </summary>
    /// <exception cref="InvalidOperationException">No cost was added.</exception>
    public Tensor Loss()
    {
        if (_total is null)
        {
            throw new InvalidOperationException("StochasticChain.Loss: no cost was added; call AddCost for each step's per-particle cost first.");
        }

        _sealed = true;
        return _total.Mean();
    }

    /// <summary>Rᵢ: per particle, the sum of the costs added after sampling node <paramref name="node"/> ([P], not recorded; zeros when none).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such node.</exception>
    public Tensor DownstreamCost(int node)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(node);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(node, Nodes);
        using (Autograd.NoGrad())
        {
            Tensor? sum = null;
            for (var c = _costStarts[node]; c < _costs.Count; c++)
            {
                sum = sum is null ? _costs[c] : sum + _costs[c];
            }

            return sum ?? Tensor.Zeros([Particles], _costs.Count > 0 ? _costs[0].DType : Tensor.DefaultDType);
        }
    }

    /// <summary>Âᵢ = (Rᵢ − Σ_{j≠i} Rⱼ/(P − 1))/P, as a [P, 1] column.</summary>
    private Tensor BaselinedCost(int node, DType dtype)
    {
        var r = DownstreamCost(node).To(dtype);
        var p = (double)Particles;
        var others = (r.Sum() - r) / (p - 1);
        return ((r - others) / p).Reshape(Particles, 1);
    }

    private Tensor?[] Messages(int node, Tensor mean, Tensor std, Tensor eps, Tensor g, IReadOnlyList<Tensor>? weightTargets)
    {
        if (!_sealed)
        {
            throw new InvalidOperationException("StochasticChain: a backward pass reached a sampling node before Loss() sealed the chain; differentiate chain.Loss() (the LR messages need every downstream cost).");
        }

        var wantMean = mean.RequiresGrad;
        var wantStd = std.RequiresGrad;
        if (Mode == PropagationMode.Reparameterization)
        {
            _weights[node] = 0;
            return [wantMean ? g : null, wantStd ? g * eps : null];
        }

        var a = BaselinedCost(node, mean.DType);
        var lrMean = a * eps / std;
        var lrStd = a * ((eps * eps) - 1.0) / std;
        if (Mode == PropagationMode.LikelihoodRatio)
        {
            _weights[node] = 1;
            return [wantMean ? lrMean : null, wantStd ? lrStd : null];
        }

        var rpStd = g * eps;
        List<Tensor> lr = [], rp = [];
        if (wantMean)
        {
            lr.Add(lrMean);
            rp.Add(g);
        }

        if (wantStd)
        {
            lr.Add(lrStd);
            rp.Add(rpStd);
        }

        var k = FixedWeight ?? (weightTargets is null
            ? InverseVarianceWeighting.Weight(lr, rp)
            : InverseVarianceWeighting.Weight(TargetGradients(mean, std, lr, weightTargets), TargetGradients(mean, std, rp, weightTargets)));
        _weights[node] = k;
        return [wantMean ? (lrMean * k) + (g * (1 - k)) : null, wantStd ? (lrStd * k) + (rpStd * (1 - k)) : null];
    }

    /// <summary>Per particle, ∂(m · (μ, σ))/∂w for each weight target w (zeros where w does not reach μ, σ).</summary>
    private static List<Tensor> TargetGradients(Tensor mean, Tensor std, List<Tensor> messages, IReadOnlyList<Tensor> targets)
    {
        List<Tensor> outputs = mean.RequiresGrad ? [mean] : [];
        if (std.RequiresGrad)
        {
            outputs.Add(std);
        }

        var grads = Autograd.Grad(outputs, targets, messages, allowUnused: true, retainGraph: true);
        return [.. grads.Select((gr, i) => gr ?? Tensor.ZerosLike(targets[i]))];
    }

    private void ThrowIfSealed(string op)
    {
        if (_sealed)
        {
            throw new InvalidOperationException($"StochasticChain.{op}: the chain was sealed by Loss(); use a new chain for each estimate.");
        }
    }
}
