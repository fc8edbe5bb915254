// PPO on a classic-control task with CleanRL's defaults. Run:
//   dotnet run -c Release --project examples/PpoCartPole -- [env id] [total steps] [seed]
using System.Globalization;
using McGrad.Randomness;
using McGrad.Rl.Training;

var id = args.Length > 0 ? args[0] : "CartPole-v1";
var total = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 500_000;
var seed = args.Length > 2 ? ulong.Parse(args[2], CultureInfo.InvariantCulture) : 1;
var config = (id == "Pendulum-v1" || id == "MountainCarContinuous-v0" ? PpoConfig.CleanRlContinuous : PpoConfig.CleanRlDiscrete) with { TotalSteps = total };
var trainer = new PpoTrainer(id, config, new RngKey(seed));
var run = trainer.Train(p =>
{
    if (p.Update % 20 == 0 || p.Update == p.Updates)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{id} step {p.Steps,8}: recent return {p.RecentReturn ?? double.NaN,8:F1}, {p.StepsPerSecond,7:F0} steps/s"));
    }
});
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{id}: mean return of the last 100 episodes {run.MeanReturnOfLast(100):F1} after {run.Steps} steps, {run.StepsPerSecond:F0} steps/s"));
