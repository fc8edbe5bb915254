// McGrad quick start: a gradient, a gradient of a gradient, and a gradient check.
using McGrad;
using McGrad.Autodiff;

// f(x, y) = Σ tanh(eˣ·y + x)
var x = Tensor.FromArray([0.1, -0.4, 0.7]).RequireGrad();
var y = Tensor.FromArray([1.0, 2.0, -1.0]).RequireGrad();
var f = (x.Exp() * y + x).Tanh().Sum();
Console.WriteLine($"f(x, y)      = {f.Item():F6}");

// First derivatives, recording the backward pass so it can be differentiated again.
var grads = Autograd.Grad([f], [x, y], createGraph: true);
Console.WriteLine($"∂f/∂x        = {grads[0]}");
Console.WriteLine($"∂f/∂y        = {grads[1]}");

// Second derivatives: the diagonal of ∂²f/∂x² through Σ ∂f/∂x (a Hessian-vector product with v = 1).
var hessianTimesOnes = Autograd.Grad(grads[0]!.Sum(), x);
Console.WriteLine($"H·1 (x)      = {hessianTimesOnes}");

// Check both orders against float64 central differences, as users can for their own functions.
Func<Tensor[], Tensor> fn = t => (t[0].Exp() * t[1] + t[0]).Tanh().Sum();
var first = GradCheck.Check(fn, [x.Detach(), y.Detach()]);
var second = GradCheck.CheckSecondOrder(fn, [x.Detach(), y.Detach()]);
Console.WriteLine($"GradCheck    : first order {(first.Passed ? "passed" : "FAILED")} (max |err| {first.MaxAbsError:E1}), " +
                  $"second order {(second.Passed ? "passed" : "FAILED")} (max |err| {second.MaxAbsError:E1})");
return first.Passed && second.Passed ? 0 : 1;
