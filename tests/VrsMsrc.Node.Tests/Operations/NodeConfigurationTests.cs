using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.Operations;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Tests.Operations;

/// <summary>node.json plus VRS_ variables: every wrong setting is reported with its source and the documented message.</summary>
[Trait("Category", "Unit")]
public sealed class NodeConfigurationTests : IDisposable
{
    private readonly TempNode _node = new();

    private SettingsResult<NodeSettings> Check(params (string Name, string Value)[] environment) =>
        SettingsLoader.Check(_node.Context.Paths.Settings, NodeSettings.Rules, environment.ToDictionary(e => e.Name, e => e.Value));

    [Fact]
    public void Environment_overrides_node_json_and_says_so()
    {
        File.WriteAllText(_node.Context.Paths.Settings, """{ "State": "ITA", "Delivery": { "MaxRetries": 2 } }""");
        var result = Check(("VRS_Delivery__MaxRetries", "9"), ("VRS_PUBLISHINTERVAL", "00:00:30"), ("VRS_DATA_DIR", "/elsewhere"));
        Assert.Empty(result.Problems);
        Assert.Equal(9, result.Settings!.Delivery.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(30), result.Settings.PublishInterval);
        Assert.Equal("ITA", result.Settings.State);
        Assert.Contains(new EffectiveSetting("Delivery:MaxRetries", "9", "environment VRS_Delivery__MaxRetries"), result.Effective);
        Assert.Contains(new EffectiveSetting("State", "ITA", "node.json"), result.Effective);
        Assert.Contains(new EffectiveSetting("Retention:RejectsDays", "90", "default"), result.Effective);
        Assert.Contains(new EffectiveSetting("Retention:TransparencyPayloadDays", "0", "default"), result.Effective);
    }

    [Fact]
    public void Every_wrong_setting_is_reported_at_once_with_its_source()
    {
        File.WriteAllText(_node.Context.Paths.Settings, """
            { "State": "ITA", "Protection": { "Threshold": 3 }, "Delivry": { "MaxRetries": 2 }, "IngestUrl": "http://0.0.0.0:7480" }
            """);
        var result = Check(("VRS_Delivery__MaxRetries", "many"), ("VRS_PublishInterval", "soon"), ("VRS_Operations__LogFormat", "xml"), ("VRS_HubUrl", "http://hub:7443"));
        Assert.Null(result.Settings);
        Assert.Equal(
        [
            "node.json: Delivry:MaxRetries: unknown setting (misspelt, or from another version?)",
            "environment VRS_Delivery__MaxRetries: Delivery:MaxRetries: 'many' is not a whole number",
            "environment VRS_PublishInterval: PublishInterval: 'soon' is not a duration like 00:05:00 (hours:minutes:seconds) or 2.00:00:00 (days)",
            "environment VRS_Operations__LogFormat: Operations:LogFormat: 'xml' is not a one of Auto, Text, Json",
            "environment VRS_HubUrl: HubUrl: 'http://hub:7443' must be the hub's https address, like https://hub.example.org:7443",
            "node.json: Protection: Threshold is 3; it may not be below 5",
            "node.json: IngestUrl: IngestUrl 'http://0.0.0.0:7480' is not on loopback: use https with IngestCertificate and IngestKey",
        ], result.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Further_hub_addresses_come_as_a_json_array_or_one_variable_with_commas()
    {
        File.WriteAllText(_node.Context.Paths.Settings, """{ "State": "ITA", "HubUrls": [ "https://hub2:7443", "https://hub3:7443" ] }""");
        var fromFile = Check();
        Assert.Empty(fromFile.Problems);
        Assert.Equal(["https://hub2:7443", "https://hub3:7443"], fromFile.Settings!.HubUrls);
        Assert.Contains(new EffectiveSetting("HubUrls", "https://hub2:7443,https://hub3:7443", "node.json"), fromFile.Effective);

        // A variable replaces the whole list, not just its first entries.
        var fromEnvironment = Check(("VRS_HUBURLS", "https://hub4:7443"));
        Assert.Equal(["https://hub4:7443"], fromEnvironment.Settings!.HubUrls);

        var wrong = Check(("VRS_HubUrls", "https://hub4:7443, http://hub5:7443"));
        Assert.Equal(
            "environment VRS_HubUrls: HubUrls: 'http://hub5:7443' must be an https address of the hub, like https://hub2.example.org:7443",
            Assert.Single(wrong.Problems).ToString());

        // What 'init' and the failover code write reads back the same.
        SettingsLoader.Save(fromFile.Settings, _node.Context.Paths.Settings);
        Assert.Equal(fromFile.Settings.HubUrls, Check().Settings!.HubUrls);
    }

    [Fact]
    public void Load_stops_with_exit_code_78_and_the_list()
    {
        File.WriteAllText(_node.Context.Paths.Settings, """{ "State": "XYZ", "Retention": { "RejectsDays": -1, "TransparencyPayloadDays": -5 } }""");
        var error = Assert.Throws<CommandException>(() => NodeSettings.Load(_node.Context.Paths));
        Assert.Equal(SettingsLoader.ConfigurationExitCode, error.ExitCode);
        Assert.Equal(
            $"{_node.Context.Paths.Settings}: 3 wrong settings:\n  node.json: State: 'XYZ' is not an ISO 3166-1 alpha-3 code in capitals\n  node.json: Retention:RejectsDays: must be 0 (keep for ever) or more"
                + "\n  node.json: Retention:TransparencyPayloadDays: must be 0 (keep for ever) or more",
            error.Message);
    }

    [Fact]
    public void A_file_that_is_not_json_or_lacks_the_state_is_named()
    {
        File.WriteAllText(_node.Context.Paths.Settings, "{ \"State\": \"ITA\", ");
        var broken = Assert.Single(Check().Problems);
        Assert.Equal("(file)", broken.Setting);
        Assert.Equal("node.json", broken.Source);
        Assert.StartsWith("not valid JSON: ", broken.Reason, StringComparison.Ordinal);
        Assert.Contains("LineNumber: 0", broken.Reason, StringComparison.Ordinal);

        File.WriteAllText(_node.Context.Paths.Settings, "{ \"HubUrl\": \"https://hub:7443\" }");
        Assert.Equal("node.json: State: missing: this setting is required", Assert.Single(Check().Problems).ToString());
    }

    public void Dispose() => _node.Dispose();
}
