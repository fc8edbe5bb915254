using System.CommandLine;

namespace McGrad.Lab.Commands;

/// <summary>
/// The registry of Lab commands: every public, non-abstract <see cref="ILabCommand"/> in this assembly with a
/// parameterless constructor, ordered by <see cref="ILabCommand.Order"/>, and the System.CommandLine tree built from them.
/// </summary>
public static class LabCommands
{
    /// <summary>The command run when none is named.</summary>
    public const string Default = "zoo";

    /// <summary>The root command's description (the first lines of <c>--help</c>).</summary>
    public const string RootDescription =
        "McGrad Lab: Monte Carlo gradient estimators side by side on problems with exact gradients.\n" +
        "With no command it runs the estimator zoo (every estimator on every canonical problem; see docs/lab.md) and writes\n" +
        "results.json, results.csv and an offline report.html under --out.";

    /// <summary>The command groups (the first words of multi-word <see cref="ILabCommand.Name"/>s) and their descriptions.</summary>
    public static IReadOnlyDictionary<string, string> Groups { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["toy"] = "Toy training problems with exact losses.",
        ["rl"] = "Reinforcement learning on classic-control environments: PPO and evolution-strategies training over seeds, evaluation of saved policies.",
        ["pipps"] = "PIPPS total propagation (Parmas et al. 2018): gradient variance against horizon on chaotic chains, and policy search on the noisy cart-pole with RP, LR and TP.",
    };

    private static readonly Type[] CommandTypes = [.. typeof(ILabCommand).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && typeof(ILabCommand).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) != null)];

    /// <summary>
    /// New instances of every command (each with its own options), ordered by <see cref="ILabCommand.Order"/> then name.
    /// </summary>
    /// <exception cref="InvalidOperationException">Two commands have the same name, a name is malformed, or a group is undescribed.</exception>
    public static IReadOnlyList<ILabCommand> Create()
    {
        var commands = CommandTypes.Select(t => (ILabCommand)Activator.CreateInstance(t)!)
            .OrderBy(c => c.Order).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
        foreach (var c in commands)
        {
            var words = c.Name.Split(' ');
            if (words.Any(w => w.Length == 0 || w.Any(char.IsWhiteSpace) || w.StartsWith('-')))
            {
                throw new InvalidOperationException($"Lab command {c.GetType().Name}: name '{c.Name}' is malformed; expected words separated by single spaces, none starting with '-'.");
            }

            for (var k = 1; k < words.Length; k++)
            {
                var group = string.Join(' ', words[..k]);
                if (!Groups.ContainsKey(group))
                {
                    throw new InvalidOperationException($"Lab command {c.GetType().Name} ('{c.Name}') is in the group '{group}', which has no description; add it to {nameof(LabCommands)}.{nameof(Groups)} (described: {string.Join(", ", Groups.Keys)}).");
                }
            }
        }

        var duplicate = commands.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
        {
            throw new InvalidOperationException($"Lab commands {string.Join(" and ", duplicate.Select(c => c.GetType().Name))} are both named '{duplicate.Key}'; expected one command per name.");
        }

        if (!commands.Any(c => c.Name == Default))
        {
            throw new InvalidOperationException($"No Lab command is named '{Default}', the default command.");
        }

        return commands;
    }

    /// <summary>
    /// The root command: the common options (recursive, so every command accepts them), the default command's action
    /// and options, and one subcommand per registered command (nested under its groups), each running against <paramref name="lab"/>.
    /// </summary>
    public static RootCommand BuildRoot(LabContext lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var root = new RootCommand(RootDescription);
        foreach (var option in lab.Common.All)
        {
            root.Options.Add(option);
        }

        foreach (var command in Create())
        {
            if (command.Name == Default)
            {
                foreach (var option in command.Options)
                {
                    root.Options.Add(option);
                }

                root.SetAction(p => command.Run(p, lab));
            }

            Command parent = root;
            var words = command.Name.Split(' ');
            for (var i = 0; i < words.Length - 1; i++)
            {
                var groupName = string.Join(' ', words[..(i + 1)]);
                var group = parent.Subcommands.FirstOrDefault(s => s.Name == words[i]);
                if (group == null)
                {
                    group = new Command(words[i], Groups[groupName]);
                    parent.Subcommands.Add(group);
                }

                parent = group;
            }

            var cmd = new Command(words[^1], command.Description);
            foreach (var option in command.Options)
            {
                cmd.Options.Add(option);
            }

            cmd.SetAction(p => command.Run(p, lab));
            parent.Subcommands.Add(cmd);
        }

        return root;
    }
}
