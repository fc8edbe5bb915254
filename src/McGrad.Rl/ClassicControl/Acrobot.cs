using McGrad.Randomness;

namespace McGrad.Rl.ClassicControl;

/// <summary>
/// Acrobot-v1 (Sutton 1996; Sutton and Barto 1998), Gymnasium's <c>AcrobotEnv</c> with its "book" dynamics: two links
/// hanging from a fixed joint, torque −1, 0 or +1 (actions 0, 1, 2) on the middle joint, one RK4 step of dt = 0.2 s.
/// </summary>
/// <remarks>
/// <para>State (θ₁, θ₂, θ̇₁, θ̇₂), float64. With m = 1, l₁ = 1, l_c = 0.5, I = 1, g = 9.8:
/// d₁ = m·l_c² + m·(l₁² + l_c² + 2·l₁·l_c·cos θ₂) + 2I, d₂ = m·(l_c² + l₁·l_c·cos θ₂) + I,
/// φ₂ = m·l_c·g·cos(θ₁ + θ₂ − π/2),
/// φ₁ = −m·l₁·l_c·θ̇₂²·sin θ₂ − 2·m·l₁·l_c·θ̇₂·θ̇₁·sin θ₂ + (m·l_c + m·l₁)·g·cos(θ₁ − π/2) + φ₂,
/// θ̈₂ = (a + d₂/d₁·φ₁ − m·l₁·l_c·θ̇₁²·sin θ₂ − φ₂) / (m·l_c² + I − d₂²/d₁), θ̈₁ = −(d₂·θ̈₂ + φ₁)/d₁.
/// One classical RK4 step (Gymnasium's <c>rk4</c> over t = [0, dt], the torque carried as a fifth state value with
/// derivative 0), then θ₁, θ₂ wrapped into [−π, π] by adding or subtracting 2π, θ̇₁ clipped to ±4π and θ̇₂ to ±9π.
/// Every expression keeps Gymnasium's operation order (and <c>x**2</c> is <see cref="Math.Pow"/>, as numpy's scalar
/// power calls libm's pow), so results are bit-identical.</para>
/// <para>Terminated when −cos θ₁ − cos(θ₂ + θ₁) &gt; 1 (the tip above the bar); reward −1 per step, 0 on the terminating
/// step. Observation (cos θ₁, sin θ₁, cos θ₂, sin θ₂, θ̇₁, θ̇₂) rounded to float32. Reset: each value uniform on
/// (−0.1, 0.1) rounded to float32 (Gymnasium's <c>.astype(np.float32)</c>). Time limit 500.</para>
/// </remarks>
public sealed class Acrobot : EnvironmentBase
{
    /// <summary>The RK4 step, s.</summary>
    public const double Dt = 0.2;

    /// <summary>Length of link 1, m.</summary>
    public const double LinkLength1 = 1.0;

    /// <summary>Length of link 2, m (it only matters for rendering).</summary>
    public const double LinkLength2 = 1.0;

    /// <summary>Mass of link 1, kg.</summary>
    public const double LinkMass1 = 1.0;

    /// <summary>Mass of link 2, kg.</summary>
    public const double LinkMass2 = 1.0;

    /// <summary>Position of link 1's centre of mass, m.</summary>
    public const double LinkComPos1 = 0.5;

    /// <summary>Position of link 2's centre of mass, m.</summary>
    public const double LinkComPos2 = 0.5;

    /// <summary>The moment of inertia of both links.</summary>
    public const double LinkMoi = 1.0;

    /// <summary>|θ̇₁| bound: 4π.</summary>
    public const double MaxVel1 = 4 * Math.PI;

    /// <summary>|θ̇₂| bound: 9π.</summary>
    public const double MaxVel2 = 9 * Math.PI;

    /// <summary>Gravity, m/s².</summary>
    public const double Gravity = 9.8;

    private static readonly double[] AvailTorque = [-1.0, 0.0, 1.0];

    private readonly double[] s = new double[4];
    private readonly double[] y = new double[5];
    private readonly double[] yt = new double[5];
    private readonly double[] k1 = new double[5];
    private readonly double[] k2 = new double[5];
    private readonly double[] k3 = new double[5];
    private readonly double[] k4 = new double[5];

    /// <summary>Creates the environment (id <c>Acrobot-v1</c>): observation Box(−high, high, (6,)) with
    /// high = float32(1, 1, 1, 1, 4π, 9π); action Discrete(3).</summary>
    public Acrobot()
        : base("Acrobot-v1", ObservationBox(), new DiscreteSpace(3), 4)
    {
    }

    /// <inheritdoc/>
    public override string StateDescription => "theta1, theta2, dtheta1, dtheta2";

    /// <inheritdoc/>
    protected override void ResetState(RngKey key)
    {
        var u = Uniform(key, 4, -0.1, 0.1);
        for (var i = 0; i < 4; i++)
        {
            s[i] = (float)u[i];
        }
    }

    /// <inheritdoc/>
    protected override (double Reward, bool Terminated) Advance(ReadOnlySpan<double> action)
    {
        var torque = AvailTorque[(int)action[0]];
        for (var i = 0; i < 4; i++)
        {
            y[i] = s[i];
        }

        y[4] = torque;
        Rk4();
        s[0] = Wrap(y[0], -Math.PI, Math.PI);
        s[1] = Wrap(y[1], -Math.PI, Math.PI);
        s[2] = Bound(y[2], -MaxVel1, MaxVel1);
        s[3] = Bound(y[3], -MaxVel2, MaxVel2);
        var terminated = Terminal();
        return (terminated ? 0.0 : -1.0, terminated);
    }

    /// <inheritdoc/>
    protected override void Observe(Span<double> observation)
    {
        observation[0] = (float)Math.Cos(s[0]);
        observation[1] = (float)Math.Sin(s[0]);
        observation[2] = (float)Math.Cos(s[1]);
        observation[3] = (float)Math.Sin(s[1]);
        observation[4] = (float)s[2];
        observation[5] = (float)s[3];
    }

    /// <inheritdoc/>
    protected override void ReadState(Span<double> state) => s.CopyTo(state);

    /// <inheritdoc/>
    protected override void WriteState(ReadOnlySpan<double> state) => state.CopyTo(s);

    private bool Terminal() => -Math.Cos(s[0]) - Math.Cos(s[1] + s[0]) > 1.0;

    /// <summary>Gymnasium's <c>rk4(derivs, y0, [0, dt])</c>: one step, k's combined as y + dt/6·(k₁ + 2k₂ + 2k₃ + k₄).</summary>
    private void Rk4()
    {
        const double dt = Dt - 0;
        const double dt2 = dt / 2.0;
        Dsdt(y, k1);
        for (var i = 0; i < 5; i++)
        {
            yt[i] = y[i] + (dt2 * k1[i]);
        }

        Dsdt(yt, k2);
        for (var i = 0; i < 5; i++)
        {
            yt[i] = y[i] + (dt2 * k2[i]);
        }

        Dsdt(yt, k3);
        for (var i = 0; i < 5; i++)
        {
            yt[i] = y[i] + (dt * k3[i]);
        }

        Dsdt(yt, k4);
        for (var i = 0; i < 5; i++)
        {
            y[i] = y[i] + (dt / 6.0 * (k1[i] + (2 * k2[i]) + (2 * k3[i]) + k4[i]));
        }
    }

    /// <summary>Gymnasium's <c>_dsdt</c> ("book"), same operation order.</summary>
    private static void Dsdt(double[] sa, double[] d)
    {
        const double m1 = LinkMass1, m2 = LinkMass2, l1 = LinkLength1, lc1 = LinkComPos1, lc2 = LinkComPos2, i1 = LinkMoi, i2 = LinkMoi, g = Gravity;
        var a = sa[4];
        var theta1 = sa[0];
        var theta2 = sa[1];
        var dtheta1 = sa[2];
        var dtheta2 = sa[3];
        var cos2 = Math.Cos(theta2);
        var sin2 = Math.Sin(theta2);
        var d1 = (m1 * (lc1 * lc1)) + (m2 * ((l1 * l1) + (lc2 * lc2) + (2 * l1 * lc2 * cos2))) + i1 + i2;
        var d2 = (m2 * ((lc2 * lc2) + (l1 * lc2 * cos2))) + i2;
        var phi2 = m2 * lc2 * g * Math.Cos(theta1 + theta2 - (Math.PI / 2.0));
        var phi1 = (-m2 * l1 * lc2 * Math.Pow(dtheta2, 2) * sin2)
            - (2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2)
            + (((m1 * lc1) + (m2 * l1)) * g * Math.Cos(theta1 - (Math.PI / 2)))
            + phi2;
        var ddtheta2 = (a + (d2 / d1 * phi1) - (m2 * l1 * lc2 * Math.Pow(dtheta1, 2) * sin2) - phi2)
            / ((m2 * (lc2 * lc2)) + i2 - (Math.Pow(d2, 2) / d1));
        var ddtheta1 = -((d2 * ddtheta2) + phi1) / d1;
        d[0] = dtheta1;
        d[1] = dtheta2;
        d[2] = ddtheta1;
        d[3] = ddtheta2;
        d[4] = 0.0;
    }

    /// <summary>Gymnasium's <c>wrap</c>: subtract or add M − m until x ∈ [m, M].</summary>
    internal static double Wrap(double x, double m, double big)
    {
        var diff = big - m;
        while (x > big)
        {
            x -= diff;
        }

        while (x < m)
        {
            x += diff;
        }

        return x;
    }

    /// <summary>Gymnasium's <c>bound</c>: min(max(x, m), M).</summary>
    internal static double Bound(double x, double m, double big) => Math.Min(Math.Max(x, m), big);

    private static BoxSpace ObservationBox()
    {
        double[] high = [1.0, 1.0, 1.0, 1.0, (float)MaxVel1, (float)MaxVel2];
        return new BoxSpace(high.Select(h => -h).ToArray(), high, 6);
    }
}
