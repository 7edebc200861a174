using System.Reflection;
using System.Runtime.CompilerServices;
using BlueGreen.Core.Validation;
using BlueGreen.Gates;
using BlueGreen.Infrastructure.State;
using BlueGreen.Operations.Switching;
using BlueGreen.Testing;

namespace BlueGreen.Operations.Tests;

/// <summary>
/// "Only run.sh can switch" (docs/reference.md, "Design rules"), made structural and checked on the compiled assemblies:
/// no gate, router or cockpit code can reach the routing writer or the state writer.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Operations = typeof(SwitchOperation).Assembly;
    private static readonly Assembly Infrastructure = typeof(StateStore).Assembly;

    [Fact]
    public void The_routing_file_writer_is_not_visible_outside_the_operations()
    {
        var writer = Operations.GetType("BlueGreen.Operations.Routing.RoutingFileWriter", throwOnError: true)!;
        Assert.False(writer.IsPublic);
        Assert.DoesNotContain(Operations.GetExportedTypes(), t => t.Name.Contains("Writer", StringComparison.Ordinal));
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
        // One way to write routing, whatever the store: RoutingStore (file or etcd), internal to Operations,
        // is the only user of RoutingFileWriter; the switch calls its Switch and Restore, deploy its Replace.
        Assert.Equal(["RoutingStore.cs"], SourcesContaining("RoutingFileWriter").Where(f => f != "RoutingFileWriter.cs").ToList());
        Assert.Equal(["SwitchOperation.cs"], SourcesContaining(".Switch(tx,"));
        Assert.Equal(["SwitchOperation.cs"], SourcesContaining("routing.Restore(tx,"));
        Assert.Equal(["DeployOperation.cs"], SourcesContaining(".Replace(tx,"));
        var store = typeof(Common.OperationContext).Assembly.GetType("BlueGreen.Operations.Routing.RoutingStore")!;
        Assert.False(store.IsPublic);
    }

    /// <summary>The source files whose code (not comments) contains the text.</summary>
    private static List<string> SourcesContaining(string text) =>
        Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadLines(f).Any(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal) && l.Contains(text, StringComparison.Ordinal)))
            .Select(f => Path.GetFileName(f)!)
            .Order(StringComparer.Ordinal)
            .ToList();
}
