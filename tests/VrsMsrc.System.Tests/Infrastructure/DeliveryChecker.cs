using System.Data.Common;
using System.Security.Cryptography;
using Dapper;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Node.Storage;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>What a check covered: releases compared by id and hash, (state, month, table) slices and cells compared.</summary>
internal sealed record DeliveryCheck(int Releases, int Slices, int Cells)
{
    public static DeliveryCheck operator +(DeliveryCheck a, DeliveryCheck b) => new(a.Releases + b.Releases, a.Slices + b.Slices, a.Cells + b.Cells);
}

/// <summary>
/// The promise "nothing lost, nothing doubled, nothing partial", checked from both ends: everything the
/// nodes released (their outbox payloads, the transparency copy of what left) against everything the hub
/// holds. Per state, month and table, the hub's cells must be exactly those of the newest version any
/// release carried, at that version; every release must be at the hub once, under the same hash; and each
/// node's own bookkeeping (month versions 1, 2, 3… in outbox order) must show no release lost or half-made.
/// </summary>
internal static class DeliveryChecker
{
    private sealed record Sent(long Seq, string ReleaseId, string Sha256, string Status, Release Release);

    public static DeliveryCheck Verify(HubDatabase hub, params NodeDatabase[] nodes) => Verify(() => hub.Open(readOnly: true), nodes);

    /// <summary>The same check against a hub on either store: the tables and columns have the same names on both.</summary>
    public static DeliveryCheck Verify(Func<DbConnection> openHub, params NodeDatabase[] nodes)
    {
        var total = new DeliveryCheck(0, 0, 0);
        foreach (var node in nodes)
        {
            total += VerifyNode(openHub, node);
        }

        return total;
    }

    private static DeliveryCheck VerifyNode(Func<DbConnection> openHub, NodeDatabase node)
    {
        List<Sent> sent;
        Dictionary<string, long> monthVersions;
        using (var connection = node.Open(readOnly: true))
        {
            sent = connection.Query<(long Seq, string ReleaseId, string Sha256, string State, byte[] Payload)>(
                    "SELECT o.seq, o.release_id, o.sha256, o.state, p.payload FROM outbox o JOIN outbox_payloads p ON p.seq = o.seq ORDER BY o.seq")
                .Select(r =>
                {
                    Assert.Equal(r.Sha256, Convert.ToHexStringLower(SHA256.HashData(r.Payload)));
                    return new Sent(r.Seq, r.ReleaseId, r.Sha256, r.State, Release.Parser.ParseFrom(r.Payload));
                })
                .ToList();
            monthVersions = connection.Query<(string Month, long Version)>("SELECT month, version FROM months WHERE version > 0")
                .ToDictionary(m => m.Month, m => m.Version);
        }

        Assert.NotEmpty(sent);
        var state = sent[0].Release.State;
        Assert.All(sent, s => Assert.True(s.Status == "delivered", $"{state} release {s.ReleaseId} is {s.Status}, not delivered"));

        // The node's side: each release raised its months by exactly one, and the months table agrees.
        var newest = new Dictionary<(string Month, string Table), (long Version, List<string> Cells)>();
        var lastVersion = new Dictionary<string, long>();
        foreach (var release in sent.Select(s => s.Release))
        {
            foreach (var month in release.Months)
            {
                var previous = lastVersion.GetValueOrDefault(month.Month);
                Assert.True(month.Version == previous + 1, $"{state} {month.Month}: version {month.Version} follows {previous} in release {release.ReleaseId}");
                lastVersion[month.Month] = month.Version;
                foreach (var table in month.Tables)
                {
                    newest[(month.Month, table.Table)] = (month.Version, table.Cells.Select(Key).Order(StringComparer.Ordinal).ToList());
                }
            }
        }

        Assert.Equal(lastVersion.OrderBy(m => m.Key), monthVersions.OrderBy(m => m.Key));

        using var hubConnection = openHub();
        // In the order the hub accepted them: its copy of the node's chain numbers them.
        var received = hubConnection.Query<(string ReleaseId, string Sha256)>(
            """
            SELECT r.release_id, r.sha256 FROM releases r JOIN release_chain h ON h.release_id = r.release_id
            WHERE r.state = @state ORDER BY h.seq
            """, new { state }).ToList();
        Assert.Equal(received.Count, hubConnection.ExecuteScalar<long>("SELECT COUNT(*) FROM releases WHERE state = @state", new { state }));
        Assert.Equal(sent.Select(s => (s.ReleaseId, s.Sha256)), received);

        var versions = hubConnection.Query<(string Month, string Table, long Version)>(
                "SELECT month, tbl, version FROM month_versions WHERE state = @state", new { state })
            .ToDictionary(v => (v.Month, v.Table), v => v.Version);
        var cells = hubConnection.Query<(string Month, string Table, string Measure, string Dim0, string Dim1, string Dim2, string Dim3, long Value)>(
                "SELECT month, tbl, measure, dim0, dim1, dim2, dim3, value FROM cells WHERE state = @state", new { state })
            .GroupBy(c => (c.Month, c.Table))
            .ToDictionary(g => g.Key, g => g.Select(c => $"{c.Measure}|{c.Dim0}|{c.Dim1}|{c.Dim2}|{c.Dim3}|{c.Value}").Order(StringComparer.Ordinal).ToList());

        Assert.Equal(newest.Keys.Order(), versions.Keys.Order());
        var cellCount = 0;
        foreach (var (slice, expected) in newest)
        {
            Assert.True(expected.Version == versions[slice], $"{state} {slice}: hub holds version {versions[slice]}, newest released {expected.Version}");
            var held = cells.GetValueOrDefault(slice) ?? [];
            Assert.True(expected.Cells.SequenceEqual(held),
                $"{state} {slice} v{expected.Version}: hub holds {held.Count} cells, the release {expected.Cells.Count}; first difference: "
                + (expected.Cells.Except(held).Concat(held.Except(expected.Cells)).FirstOrDefault() ?? "(a cell doubled)"));
            cellCount += held.Count;
        }

        Assert.Empty(cells.Keys.Except(newest.Keys));
        return new DeliveryCheck(sent.Count, newest.Count, cellCount);
    }

    /// <summary>A cell as the hub stores it: dims padded to the widest table with "".</summary>
    private static string Key(Cell cell) =>
        $"{cell.Measure}|{string.Join('|', Enumerable.Range(0, ReleaseCatalogue.MaxDimensions).Select(i => i < cell.Dims.Count ? cell.Dims[i] : ""))}|{cell.Value}";
}
