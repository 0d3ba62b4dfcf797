using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging;

namespace Streams.KafkaConsole.Rendering;

/// <summary>Renders a component to HTML outside a page, so a live part pushes the same markup the page first showed.</summary>
public sealed class FragmentRenderer(IServiceProvider services, ILoggerFactory loggers)
{
    /// <summary>The HTML of <typeparamref name="T"/> with <paramref name="parameters"/>.</summary>
    public async Task<string> RenderAsync<T>(Dictionary<string, object?> parameters) where T : IComponent
    {
        await using var renderer = new HtmlRenderer(services, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<T>(ParameterView.FromDictionary(parameters)).ConfigureAwait(false);
            return output.ToHtmlString();
        }).ConfigureAwait(false);
    }
}
