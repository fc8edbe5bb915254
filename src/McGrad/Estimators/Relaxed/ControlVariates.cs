using System.Globalization;
using McGrad.Nn;

namespace McGrad.Estimators.Relaxed;

/// <summary>
/// The differentiable control variate c(z) of REBAR and RELAX, evaluated on logit-space samples z (or z̃). Its
/// <see cref="Parameters"/> (η, log λ, network weights φ) are what <see cref="VarianceTuner"/> tunes.
/// </summary>
/// <remarks>
/// Any c keeps the estimators unbiased, provided c depends on the sample only through z (not on b separately) and
/// is differentiable in z. Implement this interface for a control variate that also sees a context (for an
/// amortised model, the encoder's input x): capture the context in the implementation.
/// </remarks>
public interface IRelaxedControlVariate
{
    /// <summary>A name for reports ("η·f(σ_λ(z))").</summary>
    string Name { get; }

    /// <summary>The tensors to tune on the variance objective (leaves that require gradients); may be empty.</summary>
    IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Whether <see cref="Evaluate"/> calls the objective f (then f must be differentiable and accept relaxed inputs).</summary>
    bool EvaluatesObjective { get; }

    /// <summary>
    /// c(z) for samples z of shape lead + batch + event (lead: any sample dimensions; the estimators pass [2, K] with
    /// z at index 0 and z̃ at index 1): one value per lead and batch element, shape lead + batch, in
    /// <see cref="RelaxedLatents.DType"/>, recorded so that gradients reach z and the parameters.
    /// </summary>
    /// <param name="z">Logit-space samples, recorded (differentiable in the distribution's logits).</param>
    /// <param name="latents">The latents' kind, shapes and dtype, and the relaxation σ_λ.</param>
    /// <param name="objective">The objective f, for control variates built from it.</param>
    Tensor Evaluate(Tensor z, RelaxedLatents latents, Objective objective);
}

/// <summary>
/// REBAR's control variate c(z) = η·f(σ_λ(z)): the objective evaluated on the relaxed sample σ_λ(z) (σ(z/λ) for
/// Bernoulli latents, softmax(z/λ) for categorical), scaled by η. ∂c/∂z = η·∇f(σ_λ(z))·∂σ_λ(z)/∂z.
/// </summary>
/// <remarks>
/// η and λ are float64 scalar leaves (λ stored as log λ so it stays positive), converted to the latents' dtype on
/// use (the conversion is differentiable). Each is tuned by <see cref="VarianceTuner"/> when its tune flag is set
/// (then it requires gradients), and is a constant otherwise. η = 0 turns REBAR into REINFORCE. f must be
/// differentiable and defined on relaxed inputs (points of (0, 1)ᴰ or of the simplex). Tucker et al. (2017).
/// </remarks>
public sealed class ScaledRelaxedObjective : IRelaxedControlVariate
{
    /// <summary>Creates c(z) = η·f(σ_λ(z)).</summary>
    /// <param name="eta">Initial η, finite.</param>
    /// <param name="temperature">Initial λ, finite and &gt; 0.</param>
    /// <param name="tuneEta">Whether η is among <see cref="Parameters"/>.</param>
    /// <param name="tuneTemperature">Whether log λ is among <see cref="Parameters"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">η not finite, or λ not finite and &gt; 0.</exception>
    public ScaledRelaxedObjective(double eta = 1, double temperature = 0.5, bool tuneEta = true, bool tuneTemperature = true)
    {
        Eta = ScalarParameter(eta, tuneEta, "ScaledRelaxedObjective", nameof(eta));
        LogTemperature = TemperatureParameter(temperature, tuneTemperature, "ScaledRelaxedObjective");
        Parameters = [.. new[] { Eta, LogTemperature }.Where(t => t.RequiresGrad)];
    }

    /// <summary>η, a float64 scalar leaf (requires gradients when tuned).</summary>
    public Tensor Eta { get; }

    /// <summary>log λ, a float64 scalar leaf (requires gradients when tuned).</summary>
    public Tensor LogTemperature { get; }

    /// <summary>The current λ = exp(log λ).</summary>
    public double Temperature => Math.Exp(LogTemperature.Item());

    /// <inheritdoc/>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <inheritdoc/>
    public bool EvaluatesObjective => true;

    /// <inheritdoc/>
    public string Name => "η·f(σ_λ(z))";

    /// <summary>η·f(σ_λ(z)), shape lead + batch.</summary>
    public Tensor Evaluate(Tensor z, RelaxedLatents latents, Objective objective)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(latents);
        ArgumentNullException.ThrowIfNull(objective);
        var relaxed = latents.Relax(z, LogTemperature.Exp().To(latents.DType));
        var values = objective(relaxed) ?? throw new InvalidOperationException("ScaledRelaxedObjective: the objective returned null.");
        return Eta.To(latents.DType) * values;
    }

    internal static Tensor ScalarParameter(double value, bool tune, string owner, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{owner}: {name} must be finite, got {value}.");
        }

        var t = Tensor.Scalar(value, DType.Float64);
        return tune ? t.RequireGrad() : t;
    }

    internal static Tensor TemperatureParameter(double temperature, bool tune, string owner)
    {
        if (!(temperature > 0 && double.IsFinite(temperature)))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"{owner}: temperature λ must be finite and > 0, got {temperature}.");
        }

        var t = Tensor.Scalar(Math.Log(temperature), DType.Float64);
        return tune ? t.RequireGrad() : t;
    }
}

/// <summary>
/// RELAX's learned control variate c_φ(z) = r_φ(σ_λ(z)) [+ η·f(σ_λ(z))]: a network r_φ on the relaxed sample (its
/// event flattened to one vector of E entries, <see cref="RelaxedLatents.FlattenEvent"/>), optionally plus REBAR's
/// scaled relaxed objective.
/// </summary>
/// <remarks>
/// <para>The network maps [..., E] to [..., 1] (or [...]): E = 1 for scalar Bernoulli latents, D for
/// Independent(Bernoulli) over D latents, K for a OneHotCategorical, D·K for D independent categoricals. Build it in
/// the distribution's dtype (e.g. <c>new Mlp([E, 16, 1], Activation.Tanh, key, dtype: DType.Float64)</c>). Its
/// parameters, log λ (when tuned) and η (when the objective term is included and η is tuned) are
/// <see cref="Parameters"/>. The network's hidden activation must be twice differentiable in a useful way for
/// tuning (tanh, softplus; ReLU's second derivative is 0, though the variance gradient still reaches the weights).</para>
/// <para>Without the objective term, f is only evaluated on the discrete b, so it may be a black box; with it, the
/// network only has to learn a correction to REBAR's control variate ("RELAX + REBAR" in Grathwohl et al. 2018).</para>
/// </remarks>
public sealed class NetworkControlVariate : IRelaxedControlVariate
{
    /// <summary>Creates c_φ(z) = r_φ(σ_λ(z)) [+ η·f(σ_λ(z))].</summary>
    /// <param name="network">r_φ, mapping [..., E] to [..., 1].</param>
    /// <param name="temperature">Initial λ of the relaxation fed to the network (and to f), finite and &gt; 0.</param>
    /// <param name="includeObjective">Add η·f(σ_λ(z)).</param>
    /// <param name="eta">Initial η of the objective term, finite.</param>
    /// <param name="tuneTemperature">Whether log λ is tuned.</param>
    /// <param name="tuneEta">Whether η is tuned (only with <paramref name="includeObjective"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">η not finite, or λ not finite and &gt; 0.</exception>
    public NetworkControlVariate(Module network, double temperature = 0.5, bool includeObjective = false, double eta = 1, bool tuneTemperature = true, bool tuneEta = true)
    {
        ArgumentNullException.ThrowIfNull(network);
        Network = network;
        IncludesObjective = includeObjective;
        Eta = ScaledRelaxedObjective.ScalarParameter(eta, includeObjective && tuneEta, "NetworkControlVariate", nameof(eta));
        LogTemperature = ScaledRelaxedObjective.TemperatureParameter(temperature, tuneTemperature, "NetworkControlVariate");
        Parameters = [.. network.Parameters().Where(p => p.RequiresGrad), .. new[] { LogTemperature, Eta }.Where(t => t.RequiresGrad)];
    }

    /// <summary>r_φ.</summary>
    public Module Network { get; }

    /// <summary>Whether η·f(σ_λ(z)) is added.</summary>
    public bool IncludesObjective { get; }

    /// <summary>η, a float64 scalar leaf (tuned only with the objective term).</summary>
    public Tensor Eta { get; }

    /// <summary>log λ, a float64 scalar leaf.</summary>
    public Tensor LogTemperature { get; }

    /// <summary>The current λ = exp(log λ).</summary>
    public double Temperature => Math.Exp(LogTemperature.Item());

    /// <inheritdoc/>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <inheritdoc/>
    public bool EvaluatesObjective => IncludesObjective;

    /// <inheritdoc/>
    public string Name => IncludesObjective ? "r_φ(σ_λ(z)) + η·f(σ_λ(z))" : "r_φ(σ_λ(z))";

    /// <summary>r_φ(σ_λ(z)) [+ η·f(σ_λ(z))], shape lead + batch.</summary>
    /// <exception cref="ArgumentException">The network's output is not [..., 1] (or [...]) for input [..., E], or its dtype is not the latents'.</exception>
    public Tensor Evaluate(Tensor z, RelaxedLatents latents, Objective objective)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(latents);
        ArgumentNullException.ThrowIfNull(objective);
        var relaxed = latents.Relax(z, LogTemperature.Exp().To(latents.DType));
        var input = latents.FlattenEvent(relaxed);
        var r = Network.Forward(input) ?? throw new InvalidOperationException("NetworkControlVariate: the network returned null.");
        var lead = input.Shape.ToArray()[..^1];
        if (r.DType != latents.DType)
        {
            throw new ArgumentException($"NetworkControlVariate: the network returned {r.DType} but the latents are {latents.DType}; build the network with the distribution's dtype (McGrad does not convert silently).", nameof(latents));
        }

        if (r.Shape == new Shape([.. lead, 1]))
        {
            r = r.Squeeze(-1);
        }
        else if (r.Shape != new Shape(lead))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"NetworkControlVariate: for input of shape {input.Shape} ([..., E] with E = {input.Shape[-1]} event entries) the network returned shape {r.Shape}; it must return one value per row, [..., 1]."),
                nameof(latents));
        }

        if (IncludesObjective)
        {
            var values = objective(relaxed) ?? throw new InvalidOperationException("NetworkControlVariate: the objective returned null.");
            r = r + (Eta.To(latents.DType) * values);
        }

        return r;
    }
}
