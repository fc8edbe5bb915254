namespace McGrad.Autodiff;

/// <summary>Restores the previous gradient-recording mode when disposed (see <see cref="Autograd.NoGrad"/>).</summary>
public readonly struct GradScope : IDisposable
{
    private readonly bool _previous;

    internal GradScope(bool enabled)
    {
        _previous = Autograd.IsEnabled;
        Autograd.IsEnabled = enabled;
    }

    /// <summary>Restores the mode that was active when the scope was created.</summary>
    public void Dispose() => Autograd.IsEnabled = _previous;
}

/// <summary>Restores the previous anomaly-detection mode when disposed (see <see cref="Anomaly.Detect"/>).</summary>
public readonly struct AnomalyScope : IDisposable
{
    private readonly bool _previous;

    internal AnomalyScope(bool enabled)
    {
        _previous = Anomaly.IsEnabled;
        Anomaly.IsEnabled = enabled;
    }

    /// <summary>Restores the previous mode.</summary>
    public void Dispose() => Anomaly.IsEnabled = _previous;
}
