using McGrad.Randomness;

namespace McGrad.Rl.ClassicControl;

/// <summary>
/// CartPole-v1 (Barto, Sutton and Anderson 1983), Gymnasium's <c>CartPoleEnv</c>: a pole hinged on a cart pushed left
/// (action 0) or right (action 1) with force 10 N, integrated by explicit Euler with τ = 0.02 s.
/// </summary>
/// <remarks>
/// <para>State (x, ẋ, θ, θ̇), float64. With F = ±10, temp = (F + m_p·l·θ̇²·sin θ)/(m_c + m_p),
/// θ̈ = (g·sin θ − cos θ·temp) / (l·(4/3 − m_p·cos²θ/(m_c + m_p))), ẍ = temp − m_p·l·θ̈·cos θ/(m_c + m_p);
/// then x += τ·ẋ, ẋ += τ·ẍ, θ += τ·θ̇, θ̇ += τ·θ̈ (old values on the right). g = 9.8, m_c = 1, m_p = 0.1, l = 0.5 (half
/// the pole), written in the same operation order as Gymnasium so every value rounds identically.</para>
/// <para>Terminated when |x| &gt; 2.4 or |θ| &gt; 12·2π/360, tested on the float64 state; reward 1 on every step, the
/// terminating one included. Observation: the state rounded to float32 and widened back (Gymnasium returns
/// <c>np.array(self.state, dtype=np.float32)</c> while keeping the state float64). Reset: each state value uniform on
/// (−0.05, 0.05) from the key (Gymnasium draws from its own numpy generator, so the values differ; the distribution is
/// the same). Time limit 500 (<see cref="Environments.Make"/>).</para>
/// </remarks>
public sealed class CartPole : EnvironmentBase
{
    /// <summary>Gravity, m/s².</summary>
    public const double Gravity = 9.8;

    /// <summary>Cart mass, kg.</summary>
    public const double MassCart = 1.0;

    /// <summary>Pole mass, kg.</summary>
    public const double MassPole = 0.1;

    /// <summary>m_c + m_p.</summary>
    public const double TotalMass = MassPole + MassCart;

    /// <summary>Half the pole's length, m.</summary>
    public const double Length = 0.5;

    /// <summary>m_p·l.</summary>
    public const double PoleMassLength = MassPole * Length;

    /// <summary>The magnitude of the push, N.</summary>
    public const double ForceMag = 10.0;

    /// <summary>The time step τ, s.</summary>
    public const double Tau = 0.02;

    /// <summary>|θ| above this terminates: 12·2π/360 rad (12°).</summary>
    public const double ThetaThresholdRadians = 12 * 2 * Math.PI / 360;

    /// <summary>|x| above this terminates, m.</summary>
    public const double XThreshold = 2.4;

    private double x;
    private double xDot;
    private double theta;
    private double thetaDot;

    /// <summary>Creates the environment (id <c>CartPole-v1</c>) with Gymnasium's spaces: observation Box(−high, high, (4,)) with
    /// high = float32(2.4·2, ∞, 2·θ_threshold, ∞); action Discrete(2).</summary>
    public CartPole()
        : base("CartPole-v1", ObservationBox(), new DiscreteSpace(2), 4)
    {
    }

    /// <inheritdoc/>
    public override string StateDescription => "x, x_dot, theta, theta_dot";

    /// <inheritdoc/>
    protected override void ResetState(RngKey key)
    {
        var u = Uniform(key, 4, -0.05, 0.05);
        (x, xDot, theta, thetaDot) = (u[0], u[1], u[2], u[3]);
    }

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Advance(ReadOnlySpan<double> action)
    {
        var force = action[0] == 1 ? ForceMag : -ForceMag;
        var costheta = Math.Cos(theta);
        var sintheta = Math.Sin(theta);
        var temp = (force + (PoleMassLength * (thetaDot * thetaDot) * sintheta)) / TotalMass;
        var thetaacc = ((Gravity * sintheta) - (costheta * temp))
            / (Length * ((4.0 / 3.0) - (MassPole * (costheta * costheta) / TotalMass)));
        var xacc = temp - (PoleMassLength * thetaacc * costheta / TotalMass);
        x += Tau * xDot;
        xDot += Tau * xacc;
        theta += Tau * thetaDot;
        thetaDot += Tau * thetaacc;
        var terminated = x < -XThreshold || x > XThreshold || theta < -ThetaThresholdRadians || theta > ThetaThresholdRadians;
        return (1.0, terminated);
    }

    /// <inheritdoc/>
    protected override void Observe(Span<double> observation)
    {
        observation[0] = (float)x;
        observation[1] = (float)xDot;
        observation[2] = (float)theta;
        observation[3] = (float)thetaDot;
    }

    /// <inheritdoc/>
    protected override void ReadState(Span<double> state)
    {
        state[0] = x;
        state[1] = xDot;
        state[2] = theta;
        state[3] = thetaDot;
    }

    /// <inheritdoc/>
    protected override void WriteState(ReadOnlySpan<double> state) => (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3]);

    private static BoxSpace ObservationBox()
    {
        double[] high = [(float)(XThreshold * 2), double.PositiveInfinity, (float)(ThetaThresholdRadians * 2), double.PositiveInfinity];
        return new BoxSpace(high.Select(h => -h).ToArray(), high, 4);
    }
}
