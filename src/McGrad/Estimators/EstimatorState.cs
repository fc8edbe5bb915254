using System.Text.Json;
using System.Text.Json.Serialization;
using McGrad.Estimators.Discrete;
using McGrad.Estimators.Perturbed;
using McGrad.Estimators.ScoreFunction;

namespace McGrad.Estimators;

/// <summary>
/// The explicit state of a stateful estimator: an immutable value passed into <see cref="IGradientEstimator.Estimate"/>
/// and returned, updated, in <see cref="GradientEstimate.NextState"/>. Resetting is passing
/// <see cref="IGradientEstimator.InitialState"/> again; saving is <see cref="ToJson"/>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(MovingAverageState), "moving-average")]
[JsonDerivedType(typeof(AdaptiveLambdaState), "adaptive-lambda")]
[JsonDerivedType(typeof(TemperatureState), "temperature")]
public abstract record EstimatorState
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    /// <summary>The state as JSON (with a "kind" discriminator), for checkpoints.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads a state written by <see cref="ToJson"/>.</summary>
    /// <exception cref="ArgumentException">The text is not a state McGrad wrote.</exception>
    public static EstimatorState FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<EstimatorState>(json, Options) ?? throw new ArgumentException("EstimatorState.FromJson: the text is 'null'; expected a state written by ToJson.", nameof(json));
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"EstimatorState.FromJson: not a state written by ToJson ({ex.Message}).", nameof(json), ex);
        }
    }

    /// <summary>
    /// <paramref name="state"/> as a <typeparamref name="T"/>, or <paramref name="initial"/> when it is null.
    /// </summary>
    /// <exception cref="ArgumentException">The state is of another kind (it belongs to another estimator).</exception>
    internal static T Expect<T>(EstimatorState? state, T initial, string estimator)
        where T : EstimatorState
        => state switch
        {
            null => initial,
            T t => t,
            _ => throw new ArgumentException($"{estimator}: got a {state.GetType().Name}, expected a {typeof(T).Name} (pass the estimator's InitialState or a NextState it returned).", nameof(state)),
        };
}
