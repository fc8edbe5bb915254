using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace McGrad.Tests;

/// <summary>
/// The layer order of docs/design.md, checked from the sources: a folder of src/McGrad uses only folders of its own
/// or a lower layer, and a project under src references only projects of a lower rank.
/// </summary>
/// <remarks>
/// Reflection cannot check this: <see cref="Tensor"/> lives in the root namespace <c>McGrad</c>, so the compiled
/// references do not say which folder a type came from. The test reads the C# text instead, with comments and
/// string literals removed (a message may name a higher layer), and flags, per file: a reference to
/// <c>McGrad.&lt;Folder&gt;</c> (a <c>using</c> directive, a <c>using static</c>, an alias, a fully qualified name or a
/// <c>cref</c>) whose folder is in a higher layer; a <c>namespace</c> declaration that is not the file's own folder;
/// and the root namespace <c>McGrad</c> outside the core (a type there would be visible to every layer without a
/// <c>using</c>, so an upward use of it could not be seen).
/// </remarks>
public class LayeringTests
{
    /// <summary>The folders of src/McGrad, lowest layer first; folders in one entry form one layer.</summary>
    internal static readonly string[][] LibraryLayers =
    [
        ["Tensors", "Kernels", "Autodiff"],
        ["Randomness"],
        ["Optim"],
        ["Nn"],
        ["Distributions"],
        ["Combinatorial"],
        ["Estimators"],
        ["Data"],
    ];

    /// <summary>The projects under src, lowest first; projects in one entry are siblings and may not reference each other.</summary>
    internal static readonly string[][] ProjectLayers =
    [
        ["McGrad"],
        ["McGrad.Rl", "McGrad.Distributed"],
        ["McGrad.Workloads"],
        ["McGrad.Lab"],
    ];

    /// <summary>The core layer: the only folders whose files may declare the root namespace <c>McGrad</c>.</summary>
    private static readonly string[] Core = LibraryLayers[0];

    [Fact]
    public void Every_library_folder_uses_only_its_own_or_lower_layers()
    {
        var lib = Path.Combine(RepoRoot(), "src", "McGrad");
        var violations = new List<string>();
        var files = 0;
        foreach (var file in Directory.EnumerateFiles(lib, "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(lib, file).Replace('\\', '/');
            if (rel.StartsWith("obj/", StringComparison.Ordinal) || rel.StartsWith("bin/", StringComparison.Ordinal))
            {
                continue;
            }

            files++;
            violations.AddRange(Check(rel, File.ReadAllText(file)));
        }

        Assert.True(files > 50, $"found only {files} C# files under {lib}; expected the library's sources");
        Assert.True(violations.Count == 0, "Upward references between layers (order: " + Order() + "):\n" + string.Join('\n', violations));
    }

    [Fact]
    public void Every_project_references_only_lower_projects()
    {
        var src = Path.Combine(RepoRoot(), "src");
        var violations = new List<string>();
        var projects = Directory.EnumerateFiles(src, "*.csproj", SearchOption.AllDirectories).ToList();
        Assert.Contains(projects, p => Path.GetFileNameWithoutExtension(p) == "McGrad.Lab");
        foreach (var csproj in projects)
        {
            var name = Path.GetFileNameWithoutExtension(csproj);
            var refs = XDocument.Load(csproj).Descendants()
                .Where(e => e.Name.LocalName == "ProjectReference")
                .Select(e => Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include") ?? "").Replace('\\', '/')));
            violations.AddRange(CheckProject(name, refs));
        }

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Theory]
    [InlineData("Optim/Adam.cs", "using McGrad.Nn;\nnamespace McGrad.Optim;\n", "line 1: Optim uses McGrad.Nn (layer Nn)")]
    [InlineData("Tensors/Tensor.cs", "namespace McGrad;\npublic partial class Tensor { object X() => new McGrad.Estimators.Discrete.Arm(); }", "line 2: Tensors uses McGrad.Estimators")]
    [InlineData("Kernels/Gemm.cs", "using static McGrad.Randomness.Sampler;\nnamespace McGrad.Kernels;", "line 1: Kernels uses McGrad.Randomness")]
    [InlineData("Distributions/Normal.cs", "using S = global::McGrad.Combinatorial.TopK;\nnamespace McGrad.Distributions;", "Distributions uses McGrad.Combinatorial")]
    [InlineData("Randomness/RngKey.cs", "namespace McGrad.Randomness;\n/// <summary>See <see cref=\"McGrad.Data.Batches\"/>.</summary>\nclass K {}", "line 2: Randomness uses McGrad.Data")]
    [InlineData("Optim/Adam.cs", "namespace McGrad.Optim { class A { string S => $\"{McGrad.Nn.Module.Name}\"; } }", "Optim uses McGrad.Nn")]
    [InlineData("Estimators/Helpers.cs", "namespace McGrad;\nstatic class X {}", "line 1: Estimators declares the root namespace McGrad")]
    [InlineData("Combinatorial/Solver.cs", "namespace McGrad.Estimators.Imle;\nclass S {}", "line 1: Combinatorial declares namespace McGrad.Estimators.Imle")]
    [InlineData("Frobnicate/X.cs", "namespace McGrad.Frobnicate;", "folder Frobnicate is in no layer")]
    public void The_check_catches_upward_references(string path, string source, string expected)
    {
        var violations = Check(path, source);
        Assert.Contains(violations, v => v.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Estimators/Reinforce.cs", "using McGrad.Optim;\nusing McGrad.Nn;\nusing McGrad.Combinatorial;\nusing McGrad.Estimators.Discrete;\nnamespace McGrad.Estimators.ScoreFunction;")]
    [InlineData("Tensors/Tensor.cs", "using McGrad.Autodiff;\nusing McGrad.Kernels;\nnamespace McGrad;\nclass T { McGrad.Kernels.Gemm? g; McGrad.Tensor? t; }")]
    [InlineData("Autodiff/Node.cs", "namespace McGrad.Autodiff;\n// uses McGrad.Estimators.Discrete for nothing\n/* McGrad.Optim */ class N { string s = \"McGrad.Estimators.Imle\"; string v = @\"McGrad.Nn\"\"x\"; char c = '\"'; string i = $\"{1} McGrad.Data {{\"; }")]
    public void The_check_passes_same_and_lower_layers_comments_and_strings(string path, string source)
        => Assert.Empty(Check(path, source));

    [Theory]
    [InlineData("McGrad", "McGrad.Lab", "McGrad references McGrad.Lab")]
    [InlineData("McGrad.Rl", "McGrad.Distributed", "McGrad.Rl references McGrad.Distributed")]
    [InlineData("McGrad.Rl", "McGrad.Lab", "McGrad.Rl references McGrad.Lab")]
    [InlineData("McGrad.Frob", "McGrad", "project McGrad.Frob is in no layer")]
    public void The_project_check_catches_upward_references(string project, string reference, string expected)
        => Assert.Contains(CheckProject(project, [reference]), v => v.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void The_project_check_passes_downward_references()
    {
        Assert.Empty(CheckProject("McGrad.Lab", ["McGrad", "McGrad.Rl", "McGrad.Distributed", "McGrad.Workloads"]));
        Assert.Empty(CheckProject("McGrad.Rl", ["McGrad"]));
    }

    /// <summary>The repository root: the first directory above the test's base directory that holds McGrad.slnx.</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "McGrad.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No McGrad.slnx in {AppContext.BaseDirectory} or any directory above it; the layering test reads the sources of the repository it was built from.");
    }

    /// <summary>The violations in one source file at <paramref name="path"/> (relative to src/McGrad, '/'-separated).</summary>
    internal static List<string> Check(string path, string source)
    {
        var violations = new List<string>();
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            violations.Add($"{path}: a file directly in src/McGrad belongs to no layer; move it into a layer folder");
            return violations;
        }

        var folder = path[..slash];
        var layer = LayerOf(folder);
        if (layer < 0)
        {
            violations.Add($"{path}: folder {folder} is in no layer; add it to docs/design.md and {nameof(LayeringTests)}.{nameof(LibraryLayers)}");
            return violations;
        }

        var (code, crefs) = Lex(source);
        foreach (Match m in NamespaceDecl.Matches(code))
        {
            var ns = Regex.Replace(m.Groups[1].Value, @"\s+", "");
            var line = LineOf(code, m.Index);
            if (ns == "McGrad")
            {
                if (!Core.Contains(folder))
                {
                    violations.Add($"{path}: line {line}: {folder} declares the root namespace McGrad, which only the core ({string.Join(", ", Core)}) may use; expected namespace McGrad.{folder}");
                }

                continue;
            }

            var top = ns.StartsWith("McGrad.", StringComparison.Ordinal) ? ns["McGrad.".Length..].Split('.')[0] : "";
            var allowed = Core.Contains(folder) ? Core : [folder];
            if (!allowed.Contains(top))
            {
                violations.Add($"{path}: line {line}: {folder} declares namespace {ns}; expected McGrad.{folder} or a namespace below it");
            }
        }

        var codeWithoutDecls = NamespaceDecl.Replace(code, d => new string(' ', d.Length));
        var refs = Reference.Matches(codeWithoutDecls).Select(m => (Name: m.Groups[1].Value, Line: LineOf(code, m.Index)))
            .Concat(crefs.SelectMany(c => Reference.Matches(c.Text).Select(m => (Name: m.Groups[1].Value, c.Line))));
        foreach (var (name, line) in refs)
        {
            var target = LayerOf(name);
            if (target > layer)
            {
                violations.Add($"{path}: line {line}: {folder} uses McGrad.{name} (layer {string.Join(" + ", LibraryLayers[target])}), which is above its layer ({string.Join(" + ", LibraryLayers[layer])})");
            }
        }

        return violations;
    }

    /// <summary>The violations of one project's references.</summary>
    internal static List<string> CheckProject(string project, IEnumerable<string> references)
    {
        var rank = Array.FindIndex(ProjectLayers, l => l.Contains(project));
        if (rank < 0)
        {
            return [$"project {project} is in no layer; add it to docs/design.md and {nameof(LayeringTests)}.{nameof(ProjectLayers)} (order: {string.Join(", then ", ProjectLayers.Select(l => string.Join(" / ", l)))})"];
        }

        var violations = new List<string>();
        foreach (var r in references)
        {
            var target = Array.FindIndex(ProjectLayers, l => l.Contains(r));
            if (target < 0)
            {
                violations.Add($"{project} references {r}, a project in no layer; add it to {nameof(LayeringTests)}.{nameof(ProjectLayers)}");
            }
            else if (target >= rank)
            {
                violations.Add($"{project} references {r}: expected only projects below it ({string.Join(", ", ProjectLayers.Take(rank).SelectMany(l => l))})");
            }
        }

        return violations;
    }

    private static readonly Regex NamespaceDecl = new(@"\bnamespace\s+((?:global\s*::\s*)?[A-Za-z_][\w\s.]*?)\s*[;{]", RegexOptions.CultureInvariant);

    private static readonly Regex Reference = new(@"(?<![\w.])(?:global\s*::\s*)?McGrad\s*\.\s*([A-Za-z_]\w*)", RegexOptions.CultureInvariant);

    private static readonly Regex Cref = new(@"cref\s*=\s*""([^""]*)""", RegexOptions.CultureInvariant);

    private static int LayerOf(string folder) => Array.FindIndex(LibraryLayers, l => l.Contains(folder));

    private static int LineOf(string text, int index) => 1 + text.AsSpan(0, index).Count('\n');

    private static string Order() => string.Join(", then ", LibraryLayers.Select(l => string.Join(" + ", l)));

    /// <summary>
    /// The source with comments and string and character literals blanked (newlines kept, so indices keep their line),
    /// the code inside interpolation holes kept, and the <c>cref</c> values found in comments.
    /// </summary>
    private static (string Code, List<(string Text, int Line)> Crefs) Lex(string s)
    {
        var code = new StringBuilder(s.Length);
        var crefs = new List<(string, int)>();
        var i = 0;
        LexCode(s, ref i, code, crefs, stopAtBrace: false);
        return (code.ToString(), crefs);
    }

    private static void Blank(string s, int from, int to, StringBuilder code)
    {
        for (var k = from; k < to; k++)
        {
            code.Append(s[k] == '\n' ? '\n' : ' ');
        }
    }

    private static void LexCode(string s, ref int i, StringBuilder code, List<(string, int)> crefs, bool stopAtBrace)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            var next = i + 1 < s.Length ? s[i + 1] : '\0';
            if (c == '/' && next == '/')
            {
                var end = s.IndexOf('\n', i);
                end = end < 0 ? s.Length : end;
                Comment(s, i, end, code, crefs);
                i = end;
            }
            else if (c == '/' && next == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? s.Length : end + 2;
                Comment(s, i, end, code, crefs);
                i = end;
            }
            else if (c == '\'')
            {
                var start = i++;
                while (i < s.Length && s[i] != '\'' && s[i] != '\n')
                {
                    i += s[i] == '\\' ? 2 : 1;
                }

                i = Math.Min(i + 1, s.Length);
                Blank(s, start, i, code);
            }
            else if (c is '"' or '$' or '@' && StringStart(s, i) is var (prefix, interpolated, verbatim, raw) && prefix > 0)
            {
                Blank(s, i, i + prefix, code);
                i += prefix;
                LexString(s, ref i, code, crefs, interpolated, verbatim, raw);
            }
            else if (stopAtBrace && c == '{')
            {
                depth++;
                code.Append(c);
                i++;
            }
            else if (stopAtBrace && c == '}')
            {
                if (depth == 0)
                {
                    return;
                }

                depth--;
                code.Append(c);
                i++;
            }
            else
            {
                code.Append(c);
                i++;
            }
        }
    }

    /// <summary>At s[i]: the length of a string literal's opening (prefixes and quotes), or 0 when none starts here.</summary>
    private static (int Prefix, bool Interpolated, bool Verbatim, int Raw) StringStart(string s, int i)
    {
        var j = i;
        var interpolated = false;
        var verbatim = false;
        while (j < s.Length && s[j] is '$' or '@')
        {
            interpolated |= s[j] == '$';
            verbatim |= s[j] == '@';
            j++;
        }

        if (j >= s.Length || s[j] != '"')
        {
            return (0, false, false, 0);
        }

        var quotes = 0;
        while (j + quotes < s.Length && s[j + quotes] == '"')
        {
            quotes++;
        }

        if (quotes >= 3)
        {
            return (j - i + quotes, interpolated, false, quotes);
        }

        return (j - i + 1, interpolated, verbatim, 0);
    }

    private static void LexString(string s, ref int i, StringBuilder code, List<(string, int)> crefs, bool interpolated, bool verbatim, int raw)
    {
        if (raw > 0)
        {
            // Raw literal: runs to the same number of quotes; its interpolation holes (rare) are treated as text.
            var close = new string('"', raw);
            var end = s.IndexOf(close, i, StringComparison.Ordinal);
            end = end < 0 ? s.Length : end + raw;
            Blank(s, i, end, code);
            i = end;
            return;
        }

        while (i < s.Length)
        {
            var c = s[i];
            if (c == '"' && verbatim && i + 1 < s.Length && s[i + 1] == '"')
            {
                Blank(s, i, i + 2, code);
                i += 2;
            }
            else if (c == '"')
            {
                Blank(s, i, i + 1, code);
                i++;
                return;
            }
            else if (c == '\\' && !verbatim)
            {
                Blank(s, i, Math.Min(i + 2, s.Length), code);
                i += 2;
            }
            else if (interpolated && c == '{' && i + 1 < s.Length && s[i + 1] == '{')
            {
                Blank(s, i, i + 2, code);
                i += 2;
            }
            else if (interpolated && c == '{')
            {
                code.Append(' ');
                i++;
                LexCode(s, ref i, code, crefs, stopAtBrace: true);
                if (i < s.Length)
                {
                    code.Append(' ');
                    i++;
                }
            }
            else
            {
                Blank(s, i, i + 1, code);
                i++;
            }
        }
    }

    private static void Comment(string s, int from, int to, StringBuilder code, List<(string, int)> crefs)
    {
        var line = 1 + s.AsSpan(0, from).Count('\n');
        var text = s[from..to];
        foreach (Match m in Cref.Matches(text))
        {
            crefs.Add((m.Groups[1].Value, line + text.AsSpan(0, m.Index).Count('\n')));
        }

        Blank(s, from, to, code);
    }
}
