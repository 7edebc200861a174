using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace BlueGreen.Operations.Tests.Support;

/// <summary>
/// Who calls what, read from the compiled IL (System.Reflection.Metadata), not from names or source text: every
/// call, callvirt, newobj, ldftn and ldvirtftn of every method body. A caller is named by its outermost type, so
/// an async method's state machine or a lambda's closure counts as the type that wrote it.
/// </summary>
public static class CallSites
{
    /// <summary>One call: the calling type and the called member, both as "Namespace.Type" (member "Type::Name").</summary>
    public readonly record struct Call(string Caller, string Callee);

    private static readonly IReadOnlyDictionary<ushort, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .DistinctBy(o => (ushort)o.Value)
        .ToDictionary(o => (ushort)o.Value, o => o.OperandType);

    private static readonly HashSet<ushort> CallOpCodes =
        [(ushort)OpCodes.Call.Value, (ushort)OpCodes.Callvirt.Value, (ushort)OpCodes.Newobj.Value, (ushort)OpCodes.Ldftn.Value, (ushort)OpCodes.Ldvirtftn.Value];

    /// <summary>Every call made by code of <paramref name="assembly"/>.</summary>
    public static IReadOnlyList<Call> Of(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var md = pe.GetMetadataReader();
        var calls = new List<Call>();
        foreach (var typeHandle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(typeHandle);
            var caller = OutermostName(md, typeHandle);
            foreach (var methodHandle in type.GetMethods())
            {
                var method = md.GetMethodDefinition(methodHandle);
                if (method.RelativeVirtualAddress == 0)
                {
                    continue; // abstract or extern: no body
                }

                var il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes()!;
                foreach (var token in CallTokens(il))
                {
                    if (CalleeName(md, MetadataTokens.EntityHandle(token)) is { } callee)
                    {
                        calls.Add(new Call(caller, callee));
                    }
                }
            }
        }

        return calls;
    }

    /// <summary>The types (outermost) of <paramref name="assemblies"/> whose code calls <paramref name="callee"/> ("Namespace.Type::Member", or "Namespace.Type::*" for any member).</summary>
    public static IReadOnlyList<string> CallersOf(string callee, params Assembly[] assemblies)
    {
        var type = callee[..callee.IndexOf("::", StringComparison.Ordinal)];
        var any = callee.EndsWith("::*", StringComparison.Ordinal);
        return assemblies.SelectMany(Of)
            .Where(c => any ? c.Callee.StartsWith(type + "::", StringComparison.Ordinal) : c.Callee == callee)
            .Where(c => c.Caller != type)
            .Select(c => c.Caller)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static IEnumerable<int> CallTokens(byte[] il)
    {
        var i = 0;
        while (i < il.Length)
        {
            ushort code = il[i++];
            if (code == 0xFE)
            {
                code = (ushort)(0xFE00 | il[i++]);
            }

            var operand = Operands[code];
            if (CallOpCodes.Contains(code))
            {
                yield return BitConverter.ToInt32(il, i);
            }

            i += operand switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
        }
    }

    private static string? CalleeName(MetadataReader md, EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.MethodDefinition:
                var def = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                return $"{OutermostName(md, def.GetDeclaringType())}::{md.GetString(def.Name)}";
            case HandleKind.MemberReference:
                var member = md.GetMemberReference((MemberReferenceHandle)handle);
                var parent = member.Parent.Kind switch
                {
                    HandleKind.TypeReference => TypeReferenceName(md, (TypeReferenceHandle)member.Parent),
                    HandleKind.TypeDefinition => OutermostName(md, (TypeDefinitionHandle)member.Parent),
                    _ => null, // a generic instantiation: none of the members the rules name is generic
                };
                return parent is null ? null : $"{parent}::{md.GetString(member.Name)}";
            case HandleKind.MethodSpecification:
                return CalleeName(md, md.GetMethodSpecification((MethodSpecificationHandle)handle).Method);
            default:
                return null;
        }
    }

    private static string OutermostName(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = md.GetTypeDefinition(outer);
        }

        return $"{md.GetString(type.Namespace)}.{md.GetString(type.Name)}";
    }

    private static string TypeReferenceName(MetadataReader md, TypeReferenceHandle handle)
    {
        var type = md.GetTypeReference(handle);
        while (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            type = md.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
        }

        return $"{md.GetString(type.Namespace)}.{md.GetString(type.Name)}";
    }
}
