using McGrad.Estimators.Problems;

namespace McGrad.Tests.Estimators.Discrete;

public class DiscreteProblemsTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Theory]
    [InlineData(0.49, -2.0)]
    [InlineData(0.499, 1.0)]
    [InlineData(0.2, 0.7)]
    public void BernoulliToyExactGradientIsTheDerivativeOfTheExpectation(double p0, double theta)
    {
        // Central difference of E f = p(1 − p0)² + (1 − p)p0², written here independently.
        static double E(double p0, double t) => (Sigmoid(t) * (1 - p0) * (1 - p0)) + ((1 - Sigmoid(t)) * p0 * p0);
        const double h = 1e-5;
        var fd = (E(p0, theta + h) - E(p0, theta - h)) / (2 * h);
        var problem = BernoulliToy.Create(p0, theta);
        Assert.Equal(fd, problem.ExactGradient![0].Item(), 1e-9);
        Assert.Equal(E(p0, theta), BernoulliToy.Expectation(p0, theta), 1e-15);
        var f = problem.Objective(Tensor.FromArray(new[] { 0.0, 1.0 }, 2)).ToDoubleArray();
        Assert.Equal(new[] { p0 * p0, (1 - p0) * (1 - p0) }, f);
    }

    [Fact]
    public void MultivariateExactGradientMatchesFiniteDifferencesOfTheEnumeratedExpectation()
    {
        double[] theta = [-1.0, 0.5, 0.0, 1.5];
        double[] w = [1.0, -2.0, 1.5, 0.5];
        const double c = 0.7;
        static double F(int mask, double[] w, double c)
        {
            var s = -c;
            for (var i = 0; i < 4; i++)
            {
                s += w[i] * ((mask >> i) & 1);
            }

            return (s * s) + ((mask & 1) * ((mask >> 2) & 1));
        }

        double E(double[] t)
        {
            var total = 0.0;
            for (var mask = 0; mask < 16; mask++)
            {
                var p = 1.0;
                for (var i = 0; i < 4; i++)
                {
                    p *= ((mask >> i) & 1) == 1 ? Sigmoid(t[i]) : 1 - Sigmoid(t[i]);
                }

                total += p * F(mask, w, c);
            }

            return total;
        }

        var problem = MultivariateBernoulli.Default();
        var exact = problem.ExactGradient![0].ToDoubleArray();
        for (var i = 0; i < 4; i++)
        {
            const double h = 1e-5;
            var up = (double[])theta.Clone();
            var down = (double[])theta.Clone();
            up[i] += h;
            down[i] -= h;
            Assert.Equal((E(up) - E(down)) / (2 * h), exact[i], 1e-8);
        }

        // The tensor objective on all 16 outcomes (sample shape [16], event [4]) against the closed form.
        var outcomes = new double[64];
        for (var mask = 0; mask < 16; mask++)
        {
            for (var i = 0; i < 4; i++)
            {
                outcomes[(mask * 4) + i] = (mask >> i) & 1;
            }
        }

        var values = problem.Objective(Tensor.FromArray(outcomes, 16, 4)).ToDoubleArray();
        for (var mask = 0; mask < 16; mask++)
        {
            Assert.Equal(F(mask, w, c), values[mask], 1e-14);
        }

        Assert.Throws<ArgumentException>(() => MultivariateBernoulli.Create([0.0, 1.0], [1.0, 1.0], 0));
    }
}
