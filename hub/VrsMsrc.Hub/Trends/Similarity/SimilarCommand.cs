using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Trends.Similarity;

/// <summary>vrs-hub similar --state ISO3: the other states ranked by how alike their recent trends are.</summary>
internal static class SimilarCommand
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var state = new Option<string>("--state") { Description = "The state to compare, ISO 3166-1 alpha-3", Required = true };
        var months = new Option<int>("--months") { Description = "Window of months ending at the last month with data", DefaultValueFactory = _ => SimilarStates.DefaultMonths };
        var top = new Option<int>("--top") { Description = "At most this many states", DefaultValueFactory = _ => SimilarStates.DefaultTop };
        var format = CommandLine.FormatOption("table", "csv", "json");
        var command = new Command("similar", "States whose recent trends are most like one state's, and why") { dataDir, state, months, top, format };
        command.SetHandler((parse, _) =>
        {
            var request = new SimilarRequest { State = parse.GetValue(state)!, Months = parse.GetValue(months), Top = parse.GetValue(top) };
            var response = LocalTrends.Open(parse.GetValue(dataDir)!).Ask("query.similar", request, (q, scope) => q.Similar(request, scope), r => r.States.Count);

            TabularOutput.Write(Console.Out, parse.GetValue(format)!, ["state", "similar_state", "score", "reason"],
                response.States.Select(s => new object?[] { s.State, s.SimilarState, s.Score, s.Reason }));
            return Task.FromResult(0);
        });
        return command;
    }
}
