using Microsoft.Playwright;

namespace McGrad.Lab.Tests;

/// <summary>Opens the HTML report in headless Chromium (Debian's, driven by Playwright) and checks that the charts render.</summary>
public class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [SkippableFact]
    public async Task Report_charts_render_in_headless_chromium_without_console_errors()
    {
        Requires.Component(File.Exists(Chromium), $"Chromium is not installed at {Chromium}; install it with `apt-get install chromium` (./test.sh does)");
        var dir = LabHarness.TempDir();
        var r = LabHarness.Run("variance", "-p", "es-quadratic", "-n", "500", "-o", dir);
        Assert.True(r.ExitCode == 0, r.Err);

        // A training-curve chart too (line charts), from a hand-made run.
        var curvesDir = LabHarness.TempDir();
        var run = new LabRun { Command = "curves", CommandLine = "", Seed = 1, Samples = 3, Version = "test", Timestamp = "", Machine = LabApp.Machine() };
        run.Curves.Add(new CurveSet("loss", "step", "loss", true, [new Curve("a", [0, 1, 2], [1, 0.1, 0.01]), new Curve("b", [0, 1, 2], [2, 1, 0.5])]));
        Report.WriteAll(run, curvesDir);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };
        page.PageError += (_, e) => errors.Add(e);
        page.RequestFailed += (_, q) => errors.Add("request failed: " + q.Url);

        await page.GotoAsync(new Uri(Path.Combine(dir, "report.html")).AbsoluteUri);
        var charts = await page.QuerySelectorAllAsync("svg.chart");
        Assert.Equal(3, charts.Count); // one variance chart per parameter element θ[0..2]
        foreach (var chart in charts)
        {
            var box = await chart.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Width > 100 && box.Height > 50, $"chart box {box.Width}×{box.Height}");
        }

        var bars = await page.QuerySelectorAllAsync("svg.chart rect.bar");
        Assert.True(bars.Count >= 3 * 5, $"only {bars.Count} bars");
        foreach (var bar in bars)
        {
            var box = await bar.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Width > 0 && box.Height > 0, $"bar box {box.Width}×{box.Height}");
        }

        Assert.True(await page.Locator("table").CountAsync() >= 2);

        await page.GotoAsync(new Uri(Path.Combine(curvesDir, "report.html")).AbsoluteUri);
        var paths = await page.QuerySelectorAllAsync("svg.chart path.curve");
        Assert.Equal(2, paths.Count);
        foreach (var path in paths)
        {
            var box = await path.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Width > 100 && box.Height > 10, $"curve box {box.Width}×{box.Height}");
        }

        Assert.Empty(errors);
    }
}
