using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace Streams.KafkaConsole.Rendering;

/// <summary>Line charts drawn as inline SVG on the server: no chart library, nothing to download.</summary>
public static class SvgChart
{
    /// <summary>A small line without axes, scaled to its own maximum (a topic's produce rate).</summary>
    public static MarkupString Sparkline(IReadOnlyList<double> values, int width = 120, int height = 24) => Draw(values, width, height, axes: false);

    /// <summary>A line with its maximum labelled (a group's lag over time).</summary>
    public static MarkupString Line(IReadOnlyList<double> values, int width = 640, int height = 160) => Draw(values, width, height, axes: true);

    private static MarkupString Draw(IReadOnlyList<double> values, int width, int height, bool axes)
    {
        var max = values.Count == 0 ? 0 : values.Max();
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\">");
        var top = axes ? 14 : 2;
        if (values.Count >= 2)
        {
            var step = (double)width / (values.Count - 1);
            var points = string.Join(' ', values.Select((v, i) => string.Create(CultureInfo.InvariantCulture,
                $"{i * step:0.#},{height - 2 - (max <= 0 ? 0 : v / max * (height - top - 2)):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" points=\"{points}\"/>");
        }

        if (axes)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"0\" y1=\"{height - 1}\" x2=\"{width}\" y2=\"{height - 1}\" stroke=\"#bbb\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"2\" y=\"11\" font-size=\"11\">max {max:0.##}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<title>{(values.Count == 0 ? "no samples yet" : $"last {values[^1]:0.##}, max {max:0.##}")}</title></svg>");
        return new MarkupString(svg.ToString());
    }
}
