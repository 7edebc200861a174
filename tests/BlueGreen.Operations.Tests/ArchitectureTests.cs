using System.Reflection;
using System.Runtime.CompilerServices;
using BlueGreen.Core.Validation;
using BlueGreen.Gates;
using BlueGreen.Infrastructure.State;
using BlueGreen.Operations.Switching;
using BlueGreen.Operations.Tests.Support;

namespace BlueGreen.Operations.Tests;

/// <summary>
/// "Only run.sh can switch" (docs/reference.md, "Design rules"), made structural and checked on the compiled assemblies:
/// no gate, router or cockpit code can reach the routing writer or the state writer.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Operations = typeof(SwitchOperation).Assembly;
    private static readonly Assembly Infrastructure = typeof(StateStore).Assembly;

    /// <summary>Every product assembly this project can load (the CLI only composes them and sees no internals).</summary>
    private static readonly Assembly[] Product =
        [Operations, Infrastructure, typeof(IGate).Assembly, typeof(global::BlueGreen.Router.EmbeddedRouter).Assembly, Assembly.Load("BlueGreen.Cockpit"), typeof(Core.ExitCode).Assembly];

    [Fact]
    public void The_routing_file_writer_is_internal_and_only_the_file_routing_store_uses_it()
    {
        var writer = Operations.GetType("BlueGreen.Operations.Routing.RoutingFileWriter", throwOnError: true)!;
        Assert.False(writer.IsPublic);
        Assert.Equal(["BlueGreen.Operations.Routing.FileRoutingStore"], CallSites.CallersOf("BlueGreen.Operations.Routing.RoutingFileWriter::*", Product));
    }

    [Fact]
    public void The_state_store_can_be_read_by_anyone_but_written_by_the_operations_only()
    {
        var write = typeof(StateStore).GetMethod("Write", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!;
        Assert.True(write.IsAssembly, "StateStore.Write must be internal");
        var friends = Infrastructure.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).Order().ToList();
        Assert.Equal(["BlueGreen.Infrastructure.Tests", "BlueGreen.Operations", "BlueGreen.Operations.Tests"], friends);
    }

    [Theory]
    [InlineData("BlueGreen.Gates")]
    [InlineData("BlueGreen.Router")]
    [InlineData("BlueGreen.Cockpit")]
    public void Modules_other_than_the_operations_do_not_reference_them(string module)
    {
        var assembly = Assembly.Load(module);
        Assert.DoesNotContain(assembly.GetReferencedAssemblies(), r => r.Name == "BlueGreen.Operations");
    }

    [Fact]
    public void Gates_receive_plain_data_only()
    {
        var parameters = typeof(IGate).GetMethod(nameof(IGate.RunAsync))!.GetParameters().Select(p => p.ParameterType).ToList();
        Assert.Equal([typeof(CandidateView), typeof(CancellationToken)], parameters);
        var allowed = new[] { typeof(Core.Configuration.SiteConfig), typeof(Core.Slots.Slot), typeof(Uri), typeof(Core.State.Deployment), typeof(string) };
        Assert.All(typeof(CandidateView).GetProperties(), p => Assert.Contains(p.PropertyType, allowed));
        Assert.All(typeof(GateRunner).GetConstructors().SelectMany(c => c.GetParameters()), p =>
            Assert.DoesNotContain("Store", p.ParameterType.Name, StringComparison.Ordinal));
    }

    [Fact]
    public void Only_apply_rollback_and_deploys_preview_route_write_routing()
    {
        // One way to write routing, whatever the store: RoutingStore (file or etcd), internal to Operations; the
        // switch calls its Switch and Restore, deploy its Replace, `store migrate` its Import. Read from the IL.
        var store = Operations.GetType("BlueGreen.Operations.Routing.RoutingStore", throwOnError: true)!;
        Assert.False(store.IsPublic);
        Assert.Equal(["BlueGreen.Operations.Switching.SwitchOperation"], CallSites.CallersOf("BlueGreen.Operations.Routing.RoutingStore::Switch", Product));
        Assert.Equal(["BlueGreen.Operations.Switching.SwitchOperation"], CallSites.CallersOf("BlueGreen.Operations.Routing.RoutingStore::Restore", Product));
        Assert.Equal(["BlueGreen.Operations.Deploying.DeployOperation"], CallSites.CallersOf("BlueGreen.Operations.Routing.RoutingStore::Replace", Product));
        Assert.Equal(["BlueGreen.Operations.Store.StoreMigration"], CallSites.CallersOf("BlueGreen.Operations.Routing.RoutingStore::Import", Product));
    }

    [Fact]
    public void Only_the_operations_write_state()
    {
        Assert.Equal(
            [
                "BlueGreen.Operations.Common.OperationFrame", "BlueGreen.Operations.Deploying.DeployOperation",
                "BlueGreen.Operations.Recovering.RecoverOperation", "BlueGreen.Operations.Switching.SwitchOperation",
                "BlueGreen.Operations.Validating.ValidateOperation",
            ],
            CallSites.CallersOf("BlueGreen.Infrastructure.State.StateStore::Write", Product));
        Assert.Equal(["BlueGreen.Operations.Store.StoreMigration"], CallSites.CallersOf("BlueGreen.Infrastructure.State.StateStore::Copy", Product));
    }

    [Fact]
    public void The_call_reader_sees_calls_through_async_state_machines_and_lambdas()
    {
        // The reader itself must be able to fail: a call made inside an async method (a state machine type) and one
        // made inside a lambda (a closure type) are both counted for the type that wrote them.
        var calls = CallSites.Of(typeof(ArchitectureTests).Assembly);
        Assert.Contains(new CallSites.Call("BlueGreen.Operations.Tests.ArchitectureTests", "System.Threading.Tasks.Task::Yield"), calls);
        Assert.Contains(new CallSites.Call("BlueGreen.Operations.Tests.ArchitectureTests", "System.Math::Abs"), calls);
        // A local function sharing a captured variable with the lambda: compiled to a method of the same closure class.
        Assert.Contains(new CallSites.Call("BlueGreen.Operations.Tests.ArchitectureTests", "System.Math::Max"), calls);
    }

    [Fact]
    public void A_type_calling_itself_through_its_nested_types_is_not_its_own_caller()
    {
        // The lambda's body is a method of a nested closure type: the call to it reads as ArchitectureTests calling a
        // member of ArchitectureTests. CallersOf folds both sides to the outer type and leaves self-calls out, so a rule
        // like "only X calls X's writer" is not broken by X's own async methods; another type's call is still listed.
        var own = CallSites.Of(typeof(ArchitectureTests).Assembly)
            .Where(c => c.Caller == "BlueGreen.Operations.Tests.ArchitectureTests" && c.Callee.StartsWith("BlueGreen.Operations.Tests.ArchitectureTests::", StringComparison.Ordinal));
        Assert.NotEmpty(own);
        Assert.Equal(["BlueGreen.Operations.Tests.CallerOfAsyncAndLambda"], CallSites.CallersOf("BlueGreen.Operations.Tests.ArchitectureTests::*", typeof(ArchitectureTests).Assembly));
        Assert.Equal(["BlueGreen.Operations.Tests.ArchitectureTests"], CallSites.CallersOf("System.Math::Abs", typeof(ArchitectureTests).Assembly));
    }

    // Never run: what the reader's own tests look for.
    internal static async Task<int> AsyncAndLambda(int x)
    {
        await Task.Yield();
        Func<int, int> f = y => Math.Abs(y + x);
        int Local(int y) => Math.Max(y, x);
        return f(Local(x));
    }
}

// Never run: another type's call, which CallersOf must list.
internal static class CallerOfAsyncAndLambda
{
    internal static Task<int> Call() => ArchitectureTests.AsyncAndLambda(1);
}
