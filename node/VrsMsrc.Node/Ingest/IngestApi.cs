using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Ingest;

/// <summary>
/// The node's HTTP ingest API for case-management systems: POST /v1/ingest/{kind} with a JSON array of
/// rows of input format v1 (or {"rows": [...]}) and "Authorization: Bearer KEY". The rows go through
/// the same validation and storage as a file import, in one transaction, and the answer says for every
/// row whether it was accepted or why not.
/// </summary>
internal static class IngestApi
{
    public const int MaxRows = 10_000;
    public const long MaxBodyBytes = 16 << 20;

    public static void MapIngestApi(this WebApplication app)
    {
        app.MapPost("/v1/ingest/{kind}", Ingest);
        app.MapGet("/healthz", () => Results.Text("ok"));
    }

    private static async Task<IResult> Ingest(string kind, HttpContext http, NodeContext node, ILogger<ApiKeys> log)
    {
        var keys = new ApiKeys(node.Database, node.Time);
        var header = http.Request.Headers.Authorization.ToString();
        var caller = keys.Authenticate(header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Trim() : null);
        if (caller is null)
        {
            log.LogWarning("Ingest API: refused a request from {Remote} without a valid API key", http.Connection.RemoteIpAddress);
            return Results.Problem("a valid API key is required: Authorization: Bearer <key> (vrs-node apikey add)", statusCode: 401);
        }

        if (!Importer.Kinds.Contains(kind))
        {
            return Results.Problem($"unknown kind '{kind}'; use one of {string.Join(", ", Importer.Kinds)}", statusCode: 404);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException e)
        {
            return Results.Problem($"the body is not valid JSON: {e.Message}", statusCode: 400);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Results.Problem($"the body is larger than {MaxBodyBytes} bytes: send smaller batches", statusCode: 413);
        }

        using (document)
        {
            var rows = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("rows", out var inner)
                ? inner
                : document.RootElement;
            if (rows.ValueKind != JsonValueKind.Array)
            {
                return Results.Problem("the body must be a JSON array of rows, or an object with a 'rows' array", statusCode: 400);
            }

            if (rows.GetArrayLength() > MaxRows)
            {
                return Results.Problem($"at most {MaxRows} rows per request", statusCode: 413);
            }

            var label = $"api-{caller}";
            var records = rows.EnumerateArray().Select((row, i) => InputRecords.FromJson(row, label, i + 1)).ToList();
            var summary = node.Importer().ImportRecords(label, kind, records);
            log.LogInformation("Ingest API: {Caller} sent {Rows} {Kind} rows: {Stored} stored, {Unchanged} unchanged, {Rejected} rejected",
                caller, records.Count, kind, summary.Stored, summary.Unchanged, summary.RejectedRows);
            var byLine = summary.Problems.ToLookup(p => p.Line);
            return Results.Json(new
            {
                kind,
                stored = summary.Stored,
                unchanged = summary.Unchanged,
                rejected = summary.RejectedRows,
                rows = records.Select((_, i) => new
                {
                    row = i + 1,
                    status = byLine.Contains(i + 1) ? "rejected" : "accepted",
                    problems = byLine[i + 1].Select(p => new { field = p.Field, value = p.Value, reason = p.Reason }),
                }),
            });
        }
    }
}
