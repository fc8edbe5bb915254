// McGrad MLP regression: fit y = sin(x) + noise with a 1-64-64-1 tanh MLP and Adam, save it to safetensors,
// reload it into a freshly initialised MLP and check that the predictions match.
// Exit code 0 only when the final test MSE is below 0.02 (the noise variance is 0.01) and the reload is exact.
using System.Diagnostics;
using McGrad;
using McGrad.Autodiff;
using McGrad.Data;
using McGrad.Nn;
using McGrad.Optim;
using McGrad.Randomness;

const double NoiseStd = 0.1;
const double MseThreshold = 0.02;
const int TrainCount = 512, TestCount = 256, Epochs = 150, BatchSize = 64;

var clock = Stopwatch.StartNew();
var keys = new RngKey(2025).Split(6);

// Noisy sine on [−π, π]: y = sin(x) + 0.1·ε. Train and test sets from independent keys.
(Tensor X, Tensor Y) MakeData(RngKey kx, RngKey kn, int count)
{
    var x = Sampler.Uniform(kx, [count, 1], DType.Float32, -Math.PI, Math.PI);
    var y = x.Sin() + Sampler.Normal(kn, [count, 1], DType.Float32, std: NoiseStd);
    return (x, y);
}

var (xTrain, yTrain) = MakeData(keys[0], keys[1], TrainCount);
var (xTest, yTest) = MakeData(keys[2], keys[3], TestCount);

var model = new Mlp([1, 64, 64, 1], Activation.Tanh, keys[4]);
Console.WriteLine(model);
Console.WriteLine($"{model.ParameterCount()} parameters: {string.Join(", ", model.NamedParameters().Select(p => $"{p.Key} {p.Value.Shape}"))}");

var optimizer = new Optimizer(model.Parameters(), Transforms.Adam(Schedule.Cosine(1e-2, Epochs * (TrainCount / BatchSize), 1e-4)));
var loader = new DataLoader(TrainCount, BatchSize, keys[5]);

double TestMse(Module m)
{
    using (Autograd.NoGrad())
    {
        return (m.Forward(xTest) - yTest).Square().Mean().Item();
    }
}

Console.WriteLine($"epoch    0  test MSE {TestMse(model):F5}");
for (var epoch = 1; epoch <= Epochs; epoch++)
{
    var sum = 0.0;
    var batches = 0;
    foreach (var (xb, yb) in loader.Batches(epoch, xTrain, yTrain))
    {
        var loss = (model.Forward(xb) - yb).Square().Mean();
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
        sum += loss.Item();
        batches++;
    }

    if (epoch % 25 == 0)
    {
        Console.WriteLine($"epoch {epoch,4}  train MSE {sum / batches:F5}  test MSE {TestMse(model):F5}");
    }
}

var testMse = TestMse(model);

// Save, reload into a differently initialised MLP of the same architecture, compare predictions.
var path = Path.Combine(Path.GetTempPath(), $"mcgrad-mlp-regression-{Environment.ProcessId}.safetensors");
model.Save(path, new Dictionary<string, string> { ["architecture"] = "Mlp 1-64-64-1 tanh", ["test_mse"] = testMse.ToString("R", System.Globalization.CultureInfo.InvariantCulture) });
var reloaded = new Mlp([1, 64, 64, 1], Activation.Tanh, new RngKey(1));
reloaded.Load(path);
var metadata = SafeTensors.ReadMetadata(path);
var bytes = new FileInfo(path).Length;
File.Delete(path);

float[] before, after;
using (Autograd.NoGrad())
{
    before = model.Forward(xTest).ToFloatArray();
    after = reloaded.Forward(xTest).ToFloatArray();
}

var identical = before.SequenceEqual(after);
Console.WriteLine($"saved {bytes} bytes to safetensors (metadata: {string.Join(", ", metadata.Select(p => $"{p.Key} = {p.Value}"))})");
Console.WriteLine($"reloaded predictions {(identical ? "match exactly" : "DIFFER")}; test MSE {testMse:F5} (threshold {MseThreshold}, noise variance {NoiseStd * NoiseStd:F3}); {clock.Elapsed.TotalSeconds:F1} s");
var ok = identical && testMse < MseThreshold;
Console.WriteLine(ok ? "OK" : "FAILED");
return ok ? 0 : 1;
