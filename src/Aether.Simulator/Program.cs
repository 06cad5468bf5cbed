using System.CommandLine;
using Aether.Simulator.Cli;
using Aether.Simulator.Load;

// aether-sim: load and churn tests with synthetic DHCP subscribers, and the lab's provisioning, online and
// traffic drivers. Reports go to stdout, progress and logs to stderr.
var root = new RootCommand("Aether's simulator: synthetic DHCP subscribers for load tests, and the lab's subscriber drivers.");

root.Subcommands.Add(LoadCommand.CreateLoad(RunLoadAsync));
root.Subcommands.Add(LoadCommand.CreateChurn(RunLoadAsync));
root.Subcommands.Add(RadiusCommand.Create());
root.Subcommands.Add(HostCommands.CreateProvision());
root.Subcommands.Add(HostCommands.CreateOnline());
root.Subcommands.Add(HostCommands.CreateTraffic());

return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(35) });

static async Task<int> RunLoadAsync(LoadRequest request, bool verbose, CancellationToken cancellationToken)
{
    using var loggers = Logging.Create(verbose);
    return await new LoadRunner(loggers, Console.Out, TimeProvider.System).RunAsync(request, cancellationToken);
}
