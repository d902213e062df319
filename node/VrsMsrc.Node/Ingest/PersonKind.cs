using VrsMsrc.Contracts.CodeLists;

namespace VrsMsrc.Node.Ingest;

/// <summary>A validated migrant or facilitator row: its incident, how many identical persons, and the kind's columns.</summary>
internal sealed record PersonRecord(string IncidentRef, long Count, object?[] Values);

/// <summary>
/// The two kinds of person rows (DESIGN §3.1): both belong to an incident and may stand for
/// <c>count</c> identical persons; they differ only in their columns.
/// </summary>
internal sealed class PersonKind(string name, string table, IReadOnlyList<string> columns, Func<RowCheck, object?[]> readColumns)
{
    public string Name => name;

    /// <summary>The node table the rows live in (a constant of this class, never input).</summary>
    public string Table => table;

    public IReadOnlyList<string> Columns => columns;

    public IReadOnlySet<string> Fields { get; } = new HashSet<string>(columns.Append("incident_ref").Append("count"));

    public static PersonKind Migrants { get; } = new("migrants", "migrants",
        ["nationality", "sex", "age_band", "unaccompanied", "fee_amount", "fee_currency", "fee_scope", "payment_method", "outcome"],
        row =>
        [
            row.Code("nationality", Codes.Nationalities), row.Code("sex", Codes.Sexes), row.Code("age_band", Codes.AgeBands),
            row.Flag("unaccompanied"), row.Amount("fee_amount"), row.Code("fee_currency", Codes.Currencies),
            row.Code("fee_scope", Codes.FeeScopes), row.Code("payment_method", Codes.PaymentMethods), row.Code("outcome", Codes.Outcomes),
        ]);

    public static PersonKind Facilitators { get; } = new("facilitators", "facilitators",
        ["nationality", "sex", "age_band", "role", "cj_stage"],
        row =>
        [
            row.Code("nationality", Codes.Nationalities), row.Code("sex", Codes.Sexes), row.Code("age_band", Codes.AgeBands),
            row.Code("role", Codes.Roles), row.Code("cj_stage", Codes.CriminalJusticeStages),
        ]);

    public (PersonRecord? Record, List<ImportProblem> Problems) Validate(InputRecord input, string file)
    {
        var row = new RowCheck(input, file);
        row.RefuseUnknownFields(Fields);
        var incident = row.Reference("incident_ref");
        var count = row.Count("count", minimum: 1) ?? 1;
        var values = readColumns(row);
        if (ReferenceEquals(this, Migrants) && values[4] is not null && values[5] is null)
        {
            row.Problem("fee_currency", "required when fee_amount is given: fees stay in the currency paid");
        }

        return (row.Ok ? new PersonRecord(incident, count, values) : null, row.Problems);
    }
}
