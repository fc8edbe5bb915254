// A Bernoulli VAE trained with DisARM: encoder, decoder and prior all learn from the same 2 evaluations of the ELBO
// per antithetic pair. Run: dotnet run -c Release --project examples/DisArmVae
using System.Globalization;
using McGrad;
using McGrad.Distributions;
using McGrad.Estimators;
using McGrad.Estimators.Discrete;
using McGrad.Nn;
using McGrad.Optim;
using McGrad.Randomness;

const int Batch = 64, Pixels = 16, Latents = 4;
var key = new RngKey(2024);

// Data: 16-pixel binary images from 4 hidden causes (each cause switches on a block of 4 pixels, 5% pixel noise).
var causes = Sampler.Bernoulli(key.FoldIn(1), Tensor.Full([Batch, Latents], 0.5, DType.Float32));
var blocks = Tensor.Eye(Latents).To(DType.Float32).Reshape(Latents, Latents, 1).BroadcastTo([Latents, Latents, 4]).Reshape(Latents, Pixels);
var clean = causes.MatMul(blocks);
var flip = Sampler.Bernoulli(key.FoldIn(2), Tensor.Full([Batch, Pixels], 0.05, DType.Float32));
var x = (clean + flip - (clean * flip * 2.0)).Detach();

var encoder = new Linear(Pixels, Latents, key.FoldIn(3), dtype: DType.Float32);   // q(b|x) = Bernoulli(σ(encoder(x)))
var decoder = new Linear(Latents, Pixels, key.FoldIn(4), dtype: DType.Float32);   // p(x|b) = Bernoulli(σ(decoder(b)))
var priorLogits = Tensor.Zeros([Latents], DType.Float32).RequireGrad();           // p(b) = Bernoulli(σ(prior))
var parameters = encoder.Parameters().Concat(decoder.Parameters()).Append(priorLogits).ToList();

// The ELBO of each latent sample b ([2, K, Batch, Latents] → [2, K, Batch]): log p(x|b) + log p(b) − log q(b|x).
// It contains the decoder and the prior (φ) and, through log q, the encoder too: DisARM evaluates it once, recorded.
Distribution Posterior() => new Independent(new Bernoulli(logits: encoder.Forward(x)), 1);
Objective negativeElbo = b =>
{
    var logLikelihood = new Independent(new Bernoulli(logits: decoder.Forward(b)), 1).LogProb(x);
    var logPrior = new Independent(new Bernoulli(logits: priorLogits), 1).LogProb(b);
    var logPosterior = Posterior().LogProb(b);
    return -(logLikelihood + logPrior - logPosterior);
};

// One step: estimate ∇ E_q[−ELBO] with DisARM, descend it, step Adam. Count the ELBO evaluations it costs.
IGradientEstimator estimator = new DisArm();
var loop = new TrainingLoop(estimator, new Optimizer(parameters, Transforms.Adam(0.03)));
long evaluations = 0;
Objective counted = b =>
{
    evaluations += b.Shape[0] * b.Shape[1];
    return negativeElbo(b);
};

Console.WriteLine($"DisARM VAE: {Batch} images of {Pixels} pixels, {Latents} Bernoulli latents; f evaluations per step: {estimator.CostFor(Posterior()).Evaluations}");
for (var epoch = 0; epoch <= 8; epoch++)
{
    var elbo = -loop.Step(Posterior(), counted, key.FoldIn(100 + (uint)loop.Steps)).Value.Item() / Batch;
    if (epoch % 2 == 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {loop.Steps,5}: ELBO per image {elbo,8:F3} nats"));
    }

    loop.Run(250, Posterior, counted, key);
}

Console.WriteLine($"ELBO evaluations per step (per image): {(double)evaluations / loop.Steps:F1}");
Console.WriteLine($"learned prior p(b = 1): {string.Join(", ", priorLogits.Sigmoid().ToDoubleArray().Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))} (data: 0.5)");
