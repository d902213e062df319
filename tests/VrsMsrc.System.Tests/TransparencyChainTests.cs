using Dapper;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests;

/// <summary>
/// Node and hub chain the same releases with the same formula (DESIGN §3.5): after pushes the node's
/// transparency log head equals the hub's chain head for that node, and a resend adds nothing on either side.
/// </summary>
[Trait("Category", "System")]
public sealed class TransparencyChainTests : HubWithTwoNodes
{
    private static async Task ReleaseAndPushAsync(TestNode node, int rows, int seed)
    {
        var (_, built, result) = await node.ImportReleasePushAsync(rows, seed);
        Assert.NotNull(built);
        Assert.Equal(0, result.StillPending);
    }

    /// <summary>The hub's head as 'vrs-hub nodes' shows it.</summary>
    private (long Length, string? Head) HubHead(string state)
    {
        var node = new SqliteNodeRegistry(_hub.Database, TimeProvider.System).List().Single(n => n.State == state);
        return (node.ChainLength ?? 0, node.ChainHead);
    }

    [Fact]
    public async Task After_pushes_the_node_head_equals_the_hub_head_for_that_node()
    {
        await ReleaseAndPushAsync(_ita, 400, seed: 1);
        await ReleaseAndPushAsync(_grc, 300, seed: 2);
        await ReleaseAndPushAsync(_ita, 200, seed: 3);

        Assert.Equal(_ita.Context.TransparencyLog.Head(), HubHead("ITA"));
        Assert.Equal(_grc.Context.TransparencyLog.Head(), HubHead("GRC"));
        Assert.Equal(2, _ita.Context.TransparencyLog.Head().Length);
        Assert.Null(_ita.Context.TransparencyLog.Verify().Break);
    }

    [Fact]
    public async Task A_resend_after_a_lost_acknowledgement_adds_no_second_entry_on_either_side()
    {
        await ReleaseAndPushAsync(_ita, 300, seed: 4);
        var before = _ita.Context.TransparencyLog.Head();

        // The hub applied the release but its receipt never arrived: the node sends it again.
        using (var connection = _ita.Context.Database.Open())
        {
            connection.Execute("UPDATE outbox SET state = 'pending', delivered_at = NULL");
        }

        var resend = await _ita.PushAsync();

        Assert.Equal(1, resend.Duplicates);
        Assert.Equal(before, _ita.Context.TransparencyLog.Head());
        Assert.Equal(before, HubHead("ITA"));
        Assert.Equal(1, _hub.Count("SELECT COUNT(*) FROM release_chain WHERE state = 'ITA'"));
    }

    [Fact]
    public async Task The_first_push_of_a_release_whose_receipt_was_lost_is_logged_on_its_duplicate_receipt()
    {
        await ReleaseAndPushAsync(_ita, 300, seed: 5);

        // As if the node had crashed between the hub's acceptance and recording it: no log entry yet.
        using (var connection = _ita.Context.Database.Open())
        {
            connection.Execute("DELETE FROM transparency_log; UPDATE outbox SET state = 'pending', delivered_at = NULL");
        }

        await _ita.PushAsync();

        Assert.Equal((1L, HubHead("ITA").Head!), _ita.Context.TransparencyLog.Head());
    }

    [Fact]
    public async Task The_commands_show_the_same_head_and_log_verify_names_a_tampered_payload()
    {
        await ReleaseAndPushAsync(_ita, 300, seed: 6);
        await ReleaseAndPushAsync(_ita, 200, seed: 7);
        var head = _ita.Context.TransparencyLog.Head().Head;

        var verified = await CliProcess.RunAsync("vrs-node", "log", "--verify", "--data-dir", _ita.Paths.DataDir);
        Assert.True(verified.ExitCode == 0, verified.Error);
        Assert.Contains(head, verified.Output, StringComparison.Ordinal);

        var listed = await CliProcess.RunAsync("vrs-node", "log", "--format", "csv", "--data-dir", _ita.Paths.DataDir);
        Assert.StartsWith("seq,release_id,created_at,acknowledged_at,receipt,payload_sha256,prev_hash,entry_hash", listed.Output, StringComparison.Ordinal);
        Assert.Equal(3, listed.Output.Trim().Split('\n').Length);

        var nodes = await CliProcess.RunAsync("vrs-hub", "nodes", "--format", "csv", "--data-dir", _hub.Paths.DataDir);
        Assert.Contains($",2,{head}", nodes.Output, StringComparison.Ordinal);

        using (var connection = _ita.Context.Database.Open())
        {
            var payload = connection.QuerySingle<byte[]>("SELECT payload FROM outbox_payloads ORDER BY seq DESC LIMIT 1");
            payload[payload.Length / 2] ^= 0x40;
            connection.Execute("UPDATE outbox_payloads SET payload = @payload WHERE seq = (SELECT MAX(seq) FROM outbox_payloads)", new { payload });
        }

        var broken = await CliProcess.RunAsync("vrs-node", "log", "--verify", "--data-dir", _ita.Paths.DataDir);
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("entry 2", broken.Error, StringComparison.Ordinal);
    }
}
