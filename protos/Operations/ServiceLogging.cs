using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace VrsMsrc.Contracts.Operations;

/// <summary>The log of a running service: structured JSON lines for machines, text for a person at a terminal.</summary>
public static class ServiceLogging
{
    public static ILoggingBuilder AddServiceLog(this ILoggingBuilder logging, OperationsSettings settings)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(settings.LogLevel);
        var json = settings.LogFormat == LogFormat.Json || (settings.LogFormat == LogFormat.Auto && Console.IsOutputRedirected);
        return json
            ? logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.IncludeScopes = false;
                // Readable quotes and '+' in messages; the log is data, never embedded in HTML.
                o.JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            })
            : logging.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss ");
    }
}
