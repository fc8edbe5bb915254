using System.Globalization;
using System.Net;
using System.Text;

namespace McGrad.Lab;

/// <summary>Inline SVG charts generated in C# (no scripts, no external resources).</summary>
public static class Svg
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private static string F(double x) => x.ToString("0.##", Inv);

    private static string H(string s) => WebUtility.HtmlEncode(s);

    /// <summary>
    /// Horizontal bars of variance on a log₁₀ axis with decade ticks. Zero variances (exact estimators) are drawn as a
    /// label "0" with no bar; non-finite ones as "n/a".
    /// </summary>
    public static string VarianceBars(string id, string title, IReadOnlyList<(string Label, double Value)> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        const double labelW = 230, plotW = 520, rowH = 22, top = 34, bottom = 30;
        var positive = bars.Where(b => b.Value > 0 && double.IsFinite(b.Value)).Select(b => b.Value).ToList();
        var lo = positive.Count > 0 ? Math.Floor(Math.Log10(positive.Min())) : 0;
        var hi = positive.Count > 0 ? Math.Ceiling(Math.Log10(positive.Max())) : 1;
        if (hi <= lo)
        {
            hi = lo + 1;
        }

        var height = top + (rowH * bars.Count) + bottom;
        var width = labelW + plotW + 80;
        double X(double v) => labelW + ((Math.Log10(v) - lo) / (hi - lo) * plotW);
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg id=\"{id}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(width)}\" height=\"{F(height)}\" viewBox=\"0 0 {F(width)} {F(height)}\" role=\"img\" aria-label=\"{H(title)}\">");
        sb.Append(Inv, $"<text x=\"4\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{H(title)}</text>");
        var axisY = top + (rowH * bars.Count);
        for (var d = lo; d <= hi; d++)
        {
            var x = labelW + ((d - lo) / (hi - lo) * plotW);
            sb.Append(Inv, $"<line x1=\"{F(x)}\" y1=\"{F(top - 4)}\" x2=\"{F(x)}\" y2=\"{F(axisY)}\" stroke=\"#ddd\"/>");
            sb.Append(Inv, $"<text x=\"{F(x)}\" y=\"{F(axisY + 16)}\" font-size=\"11\" text-anchor=\"middle\">1e{d:0}</text>");
        }

        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            var y = top + (rowH * i);
            sb.Append(Inv, $"<text x=\"{F(labelW - 6)}\" y=\"{F(y + 15)}\" font-size=\"12\" text-anchor=\"end\">{H(label)}</text>");
            if (value > 0 && double.IsFinite(value))
            {
                var w = Math.Max(2, X(value) - labelW);
                sb.Append(Inv, $"<rect class=\"bar\" x=\"{F(labelW)}\" y=\"{F(y + 3)}\" width=\"{F(w)}\" height=\"{F(rowH - 6)}\" fill=\"{Palette[i % Palette.Length]}\"><title>{H(label)}: {value.ToString("G4", Inv)}</title></rect>");
                sb.Append(Inv, $"<text x=\"{F(labelW + w + 4)}\" y=\"{F(y + 15)}\" font-size=\"11\">{value.ToString("G4", Inv)}</text>");
            }
            else
            {
                sb.Append(Inv, $"<text x=\"{F(labelW + 4)}\" y=\"{F(y + 15)}\" font-size=\"11\">{(value == 0 ? "0 (exact)" : "n/a")}</text>");
            }
        }

        sb.Append(Inv, $"<line x1=\"{F(labelW)}\" y1=\"{F(axisY)}\" x2=\"{F(labelW + plotW)}\" y2=\"{F(axisY)}\" stroke=\"#333\"/>");
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Decades shown on a logarithmic y axis of a line chart; smaller values are drawn on the axis floor.</summary>
    public const int MaxDecades = 10;

    /// <summary>Line chart of training curves (optionally log-scaled y, at most <see cref="MaxDecades"/> decades), with a legend.</summary>
    public static string Lines(string id, CurveSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        const double left = 70, plotW = 600, plotH = 300, top = 30, legendW = 300;
        var width = left + plotW + legendW;
        var height = top + plotH + 45;
        var pts = set.Curves.SelectMany(c => c.Steps.Zip(c.Values)).Where(p => double.IsFinite(p.Second) && (!set.LogY || p.Second > 0)).ToList();
        var xmin = pts.Count > 0 ? pts.Min(p => p.First) : 0;
        var xmax = pts.Count > 0 ? pts.Max(p => p.First) : 1;
        double Ty(double v) => set.LogY ? Math.Log10(v) : v;
        var ymin = pts.Count > 0 ? pts.Min(p => Ty(p.Second)) : 0;
        var ymax = pts.Count > 0 ? pts.Max(p => Ty(p.Second)) : 1;
        if (xmax <= xmin)
        {
            xmax = xmin + 1;
        }

        if (set.LogY)
        {
            ymin = Math.Max(ymin, ymax - MaxDecades); // values further down (e.g. a variance of 1e-34) sit on the floor
        }

        if (ymax <= ymin)
        {
            ymax = ymin + 1;
        }

        double X(double v) => left + ((v - xmin) / (xmax - xmin) * plotW);
        double Y(double v) => top + plotH - ((Math.Max(Ty(v), ymin) - ymin) / (ymax - ymin) * plotH);
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg id=\"{id}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(width)}\" height=\"{F(height)}\" viewBox=\"0 0 {F(width)} {F(height)}\" role=\"img\" aria-label=\"{H(set.Title)}\">");
        sb.Append(Inv, $"<rect x=\"{F(left)}\" y=\"{F(top)}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\" fill=\"none\" stroke=\"#333\"/>");
        for (var k = 0; k <= 4; k++)
        {
            var yv = ymin + ((ymax - ymin) * k / 4);
            var y = top + plotH - (plotH * k / 4.0);
            var label = set.LogY ? Math.Pow(10, yv).ToString("G3", Inv) : yv.ToString("G3", Inv);
            sb.Append(Inv, $"<line x1=\"{F(left)}\" y1=\"{F(y)}\" x2=\"{F(left + plotW)}\" y2=\"{F(y)}\" stroke=\"#eee\"/><text x=\"{F(left - 4)}\" y=\"{F(y + 4)}\" font-size=\"11\" text-anchor=\"end\">{label}</text>");
            var xv = xmin + ((xmax - xmin) * k / 4);
            sb.Append(Inv, $"<text x=\"{F(X(xv))}\" y=\"{F(top + plotH + 16)}\" font-size=\"11\" text-anchor=\"middle\">{xv.ToString("G4", Inv)}</text>");
        }

        sb.Append(Inv, $"<text x=\"{F(left + (plotW / 2))}\" y=\"{F(top + plotH + 36)}\" font-size=\"12\" text-anchor=\"middle\">{H(set.XLabel)}</text>");
        sb.Append(Inv, $"<text x=\"14\" y=\"{F(top + (plotH / 2))}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {F(top + (plotH / 2))})\">{H(set.YLabel)}{(set.LogY ? " (log)" : "")}</text>");
        for (var i = 0; i < set.Curves.Count; i++)
        {
            var c = set.Curves[i];
            var color = Palette[i % Palette.Length];
            var path = new StringBuilder();
            for (var j = 0; j < c.Steps.Count; j++)
            {
                var v = c.Values[j];
                if (!double.IsFinite(v) || (set.LogY && v <= 0))
                {
                    continue;
                }

                path.Append(path.Length == 0 ? "M" : " L").Append(F(X(c.Steps[j]))).Append(',').Append(F(Y(v)));
            }

            if (path.Length > 0)
            {
                sb.Append(Inv, $"<path class=\"curve\" d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"><title>{H(c.Name)}</title></path>");
            }

            var ly = top + 10 + (i * 18);
            sb.Append(Inv, $"<line x1=\"{F(left + plotW + 12)}\" y1=\"{F(ly)}\" x2=\"{F(left + plotW + 32)}\" y2=\"{F(ly)}\" stroke=\"{color}\" stroke-width=\"3\"/><text x=\"{F(left + plotW + 36)}\" y=\"{F(ly + 4)}\" font-size=\"12\">{H(c.Name)}</text>");
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
