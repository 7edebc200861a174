using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace BlueGreen.Core.Routing;

/// <summary>Turns a <see cref="DynamicConfig"/> into Traefik file-provider YAML and back. Pure: text in, text out.</summary>
/// <remarks>
/// Written against YamlDotNet's low-level API (emitter events, representation model) rather than its
/// reflection serializer, so the native (AOT) build needs no run-time reflection. The events are the ones
/// the reflection serializer emitted (camelCase keys, nulls omitted, no aliases): the files are byte-identical.
/// </remarks>
public static class RoutingFileFormat
{
    public static string Serialize(DynamicConfig config, IEnumerable<string> headerComments)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        foreach (var comment in headerComments)
        {
            text.Write($"# {comment}\n");
        }

        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Write(emitter, config);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    /// <summary>Parses a routing file; an error message names the line and column.</summary>
    public static (DynamicConfig? Config, string? Error) Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, "the file is empty");
        }

        var parser = new FlowTrackingParser(new Parser(new StringReader(text)));
        try
        {
            var stream = new YamlStream();
            stream.Load(parser);
            if (stream.Documents.Count > 1)
            {
                var second = stream.Documents[1].RootNode.Start;
                throw new YamlException(second, second, "a routing file holds one YAML document");
            }

            var root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
            var config = root is null || IsNull(root) ? null : ReadDynamicConfig(root);
            return config is null ? (null, "the file holds no configuration") : (config, null);
        }
        catch (YamlException e) when (parser.OpenFlow is { } open && e.Message.StartsWith("While parsing a flow", StringComparison.Ordinal))
        {
            // The parser notices an unclosed [ or { only at the end of the file: name where it was opened.
            return (null, $"line {open.Line}, column {open.Column}: this [ or {{ is never closed ({e.Message})");
        }
        catch (YamlException e)
        {
            var inner = e.InnerException is { } i ? $": {i.Message}" : "";
            return (null, $"line {e.Start.Line}, column {e.Start.Column}: {e.Message}{inner}");
        }
    }

    // ---- writing: one method per type, keys in declaration order, null members left out ----

    private static void Write(IEmitter e, DynamicConfig c)
    {
        e.Emit(new MappingStart());
        if (c.Http is { } http)
        {
            Key(e, "http");
            e.Emit(new MappingStart());
            if (http.Routers is { } routers)
            {
                Key(e, "routers");
                Map(e, routers, Write);
            }

            if (http.Services is { } services)
            {
                Key(e, "services");
                Map(e, services, Write);
            }

            e.Emit(new MappingEnd());
        }

        e.Emit(new MappingEnd());
    }

    private static void Write(IEmitter e, RouterConfig r)
    {
        e.Emit(new MappingStart());
        if (r.EntryPoints is { } entryPoints)
        {
            Key(e, "entryPoints");
            e.Emit(new SequenceStart(null, null, true, SequenceStyle.Any));
            foreach (var entryPoint in entryPoints)
            {
                Scalar(e, entryPoint);
            }

            e.Emit(new SequenceEnd());
        }

        Optional(e, "rule", r.Rule);
        Optional(e, "service", r.Service);
        if (r.Priority is { } priority)
        {
            Key(e, "priority");
            Scalar(e, priority.ToString(CultureInfo.InvariantCulture));
        }

        e.Emit(new MappingEnd());
    }

    private static void Write(IEmitter e, ServiceConfig s)
    {
        e.Emit(new MappingStart());
        if (s.LoadBalancer is { } lb)
        {
            Key(e, "loadBalancer");
            e.Emit(new MappingStart());
            Key(e, "servers");
            e.Emit(new SequenceStart(null, null, true, SequenceStyle.Any));
            foreach (var server in lb.Servers)
            {
                e.Emit(new MappingStart());
                Optional(e, "url", server.Url);
                e.Emit(new MappingEnd());
            }

            e.Emit(new SequenceEnd());
            if (lb.PassHostHeader is { } passHostHeader)
            {
                Key(e, "passHostHeader");
                Scalar(e, passHostHeader ? "true" : "false");
            }

            e.Emit(new MappingEnd());
        }

        if (s.Weighted is { } weighted)
        {
            Key(e, "weighted");
            e.Emit(new MappingStart());
            Key(e, "services");
            e.Emit(new SequenceStart(null, null, true, SequenceStyle.Any));
            foreach (var child in weighted.Services)
            {
                e.Emit(new MappingStart());
                Optional(e, "name", child.Name);
                Key(e, "weight");
                Scalar(e, child.Weight.ToString(CultureInfo.InvariantCulture));
                e.Emit(new MappingEnd());
            }

            e.Emit(new SequenceEnd());
            if (weighted.Sticky is { } sticky)
            {
                Key(e, "sticky");
                e.Emit(new MappingStart());
                if (sticky.Cookie is { } cookie)
                {
                    Key(e, "cookie");
                    Write(e, cookie);
                }

                e.Emit(new MappingEnd());
            }

            e.Emit(new MappingEnd());
        }

        e.Emit(new MappingEnd());
    }

    private static void Write(IEmitter e, CookieConfig c)
    {
        e.Emit(new MappingStart());
        Optional(e, "name", c.Name);
        Optional(e, "secure", c.Secure is { } secure ? (secure ? "true" : "false") : null);
        Optional(e, "httpOnly", c.HttpOnly is { } httpOnly ? (httpOnly ? "true" : "false") : null);
        Optional(e, "sameSite", c.SameSite);
        Optional(e, "maxAge", c.MaxAge?.ToString(CultureInfo.InvariantCulture));
        Optional(e, "path", c.Path);
        Optional(e, "domain", c.Domain);
        e.Emit(new MappingEnd());
    }

    private static void Map<T>(IEmitter e, Dictionary<string, T> items, Action<IEmitter, T> write)
    {
        e.Emit(new MappingStart());
        foreach (var (name, item) in items)
        {
            Scalar(e, name);
            if (item is null)
            {
                // A key with no value (`r:` in a hand-written file) reads back as null and is written as it was read.
                e.Emit(new Scalar(null, "tag:yaml.org,2002:null", "", ScalarStyle.Plain, true, false));
            }
            else
            {
                write(e, item);
            }
        }

        e.Emit(new MappingEnd());
    }

    private static void Key(IEmitter e, string name) => Scalar(e, name);

    // A value read as null from a hand-written file is left out, key included, as the serializer did.
    private static void Optional(IEmitter e, string key, string? value)
    {
        if (value is not null)
        {
            Key(e, key);
            Scalar(e, value);
        }
    }

    // The emitter picks the style (plain when the text allows it, quoted otherwise), as the serializer did.
    private static void Scalar(IEmitter e, string value) => e.Emit(new Scalar(value));

    // ---- reading: the keys Traefik's file provider uses for the subset the product models ----

    private static DynamicConfig ReadDynamicConfig(YamlNode node)
    {
        var config = new DynamicConfig();
        foreach (var (key, at, value) in Entries(node, "the file"))
        {
            switch (key)
            {
                case "http": config.Http = IsNull(value) ? null : ReadHttp(value); break;
                default: throw Unknown(at, key, "at the top level");
            }
        }

        return config;
    }

    private static HttpConfig ReadHttp(YamlNode node)
    {
        var http = new HttpConfig();
        foreach (var (key, at, value) in Entries(node, "http"))
        {
            switch (key)
            {
                case "routers": http.Routers = IsNull(value) ? null : Named(value, "routers", ReadRouter); break;
                case "services": http.Services = IsNull(value) ? null : Named(value, "services", ReadService); break;
                default: throw Unknown(at, key, "under http");
            }
        }

        return http;
    }

    private static RouterConfig? ReadRouter(YamlNode node)
    {
        if (IsNull(node))
        {
            return null;
        }

        var router = new RouterConfig();
        foreach (var (key, at, value) in Entries(node, "a router"))
        {
            switch (key)
            {
                case "entryPoints": router.EntryPoints = IsNull(value) ? null : Items(value, "entryPoints", n => Text(n)!); break;
                case "rule": router.Rule = Text(value)!; break;
                case "service": router.Service = Text(value)!; break;
                case "priority": router.Priority = IsNull(value) ? null : Integer(value); break;
                default: throw Unknown(at, key, "in a router");
            }
        }

        return router;
    }

    private static ServiceConfig? ReadService(YamlNode node)
    {
        if (IsNull(node))
        {
            return null;
        }

        var service = new ServiceConfig();
        foreach (var (key, at, value) in Entries(node, "a service"))
        {
            switch (key)
            {
                case "loadBalancer": service.LoadBalancer = IsNull(value) ? null : ReadLoadBalancer(value); break;
                case "weighted": service.Weighted = IsNull(value) ? null : ReadWeighted(value); break;
                default: throw Unknown(at, key, "in a service");
            }
        }

        return service;
    }

    private static LoadBalancerConfig ReadLoadBalancer(YamlNode node)
    {
        var lb = new LoadBalancerConfig();
        foreach (var (key, at, value) in Entries(node, "loadBalancer"))
        {
            switch (key)
            {
                case "servers": lb.Servers = IsNull(value) ? null! : Items(value, "servers", ReadServer); break;
                case "passHostHeader": lb.PassHostHeader = IsNull(value) ? null : Boolean(value); break;
                default: throw Unknown(at, key, "in loadBalancer");
            }
        }

        return lb;
    }

    private static ServerConfig ReadServer(YamlNode node)
    {
        var server = new ServerConfig();
        foreach (var (key, at, value) in Entries(node, "a server"))
        {
            switch (key)
            {
                case "url": server.Url = Text(value)!; break;
                default: throw Unknown(at, key, "in a server");
            }
        }

        return server;
    }

    private static WeightedConfig ReadWeighted(YamlNode node)
    {
        var weighted = new WeightedConfig();
        foreach (var (key, at, value) in Entries(node, "weighted"))
        {
            switch (key)
            {
                case "services": weighted.Services = IsNull(value) ? null! : Items(value, "services", ReadWeightedService); break;
                case "sticky": weighted.Sticky = IsNull(value) ? null : ReadSticky(value); break;
                default: throw Unknown(at, key, "in weighted");
            }
        }

        return weighted;
    }

    private static StickyConfig ReadSticky(YamlNode node)
    {
        var sticky = new StickyConfig();
        foreach (var (key, at, value) in Entries(node, "sticky"))
        {
            switch (key)
            {
                case "cookie": sticky.Cookie = IsNull(value) ? null : ReadCookie(value); break;
                default: throw Unknown(at, key, "in sticky");
            }
        }

        return sticky;
    }

    private static CookieConfig ReadCookie(YamlNode node)
    {
        var cookie = new CookieConfig();
        foreach (var (key, at, value) in Entries(node, "cookie"))
        {
            switch (key)
            {
                case "name": cookie.Name = Text(value); break;
                case "secure": cookie.Secure = IsNull(value) ? null : Boolean(value); break;
                case "httpOnly": cookie.HttpOnly = IsNull(value) ? null : Boolean(value); break;
                case "sameSite": cookie.SameSite = Text(value); break;
                case "maxAge": cookie.MaxAge = IsNull(value) ? null : Integer(value); break;
                case "path": cookie.Path = Text(value); break;
                case "domain": cookie.Domain = Text(value); break;
                default: throw Unknown(at, key, "in cookie");
            }
        }

        return cookie;
    }

    private static WeightedServiceConfig ReadWeightedService(YamlNode node)
    {
        var child = new WeightedServiceConfig();
        foreach (var (key, at, value) in Entries(node, "a weighted service"))
        {
            switch (key)
            {
                case "name": child.Name = Text(value)!; break;
                case "weight": child.Weight = IsNull(value) ? 0 : Integer(value); break;
                default: throw Unknown(at, key, "in a weighted service");
            }
        }

        return child;
    }

    // ---- node helpers: each error carries the node's position ----

    private static IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries(YamlNode node, string what)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw Error(node, $"{what} must be a mapping of keys");
        }

        foreach (var (key, value) in mapping.Children)
        {
            yield return (Text(key) ?? "", key, value);
        }
    }

    private static Dictionary<string, T> Named<T>(YamlNode node, string what, Func<YamlNode, T?> read)
    {
        var items = new Dictionary<string, T>();
        foreach (var (name, _, value) in Entries(node, what))
        {
            items[name] = read(value)!;
        }

        return items;
    }

    private static List<T> Items<T>(YamlNode node, string what, Func<YamlNode, T> read)
    {
        if (node is not YamlSequenceNode sequence)
        {
            throw Error(node, $"{what} must be a list");
        }

        return sequence.Children.Select(read).ToList();
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string? Text(YamlNode node) => node switch
    {
        _ when IsNull(node) => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw Error(node, "expected a single value, not a list or a mapping"),
    };

    private static int Integer(YamlNode node) =>
        int.TryParse(Text(node), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(node, $"'{Text(node)}' is not a whole number");

    // YAML 1.1 spellings too (yes/no/on/off), which the reflection deserializer accepted.
    private static bool Boolean(YamlNode node) => Text(node)?.ToLowerInvariant() switch
    {
        "true" or "yes" or "y" or "on" => true,
        "false" or "no" or "n" or "off" => false,
        _ => throw Error(node, $"'{Text(node)}' is not true or false"),
    };

    // The position of an unknown key is the key's own, as the reflection deserializer reported it.
    private static YamlException Unknown(YamlNode keyNode, string key, string where) =>
        Error(keyNode, $"unknown key '{key}' {where}");

    private static YamlException Error(YamlNode node, string message) => new(node.Start, node.End, message);

    /// <summary>Remembers where the innermost open flow collection started, for the error about it.</summary>
    private sealed class FlowTrackingParser(IParser inner) : IParser
    {
        // Every open collection, innermost on top: (start, is it a [ ] or { } one).
        private readonly Stack<(Mark Start, bool Flow)> _open = new();

        public Mark? OpenFlow => _open.FirstOrDefault(c => c.Flow) is { Flow: true } c ? c.Start : null;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            switch (inner.Current)
            {
                case SequenceStart start: _open.Push((start.Start, start.Style == SequenceStyle.Flow)); break;
                case MappingStart start: _open.Push((start.Start, start.Style == MappingStyle.Flow)); break;
                case SequenceEnd or MappingEnd when _open.Count > 0: _open.Pop(); break;
            }

            return moved;
        }
    }
}
