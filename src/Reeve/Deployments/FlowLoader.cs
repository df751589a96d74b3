using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Reeve.Flows;

namespace Reeve.Deployments;

/// <summary>
/// Loads a built flow program and finds its flow method. The program's own dependencies load beside it; the
/// assemblies this process already has (Reeve's, the framework's) are shared, so the flow's attributes, tasks and
/// logging are the engine's own.
/// </summary>
internal static partial class FlowLoader
{
    /// <summary>Loads the flow; its name is <paramref name="flowName"/> (the server's), else its [Flow] name, else the method's in kebab case.</summary>
    public static FlowDefinition Load(string assemblyPath, Entrypoint entrypoint, string? flowName)
    {
        var context = new FlowLoadContext(assemblyPath);
        var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        var method = Find(assembly, entrypoint);
        var target = method.IsStatic ? null : Activator.CreateInstance(method.DeclaringType!);
        var attribute = method.GetCustomAttribute<FlowAttribute>();
        var dot = entrypoint.Target.LastIndexOf('.');
        return Flow.Define(method, target, new FlowOptions { Name = attribute?.Name ?? flowName ?? Naming.Kebab(entrypoint.Target[(dot + 1)..]) });
    }

    private static MethodInfo Find(Assembly assembly, Entrypoint entrypoint)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var dot = entrypoint.Target.LastIndexOf('.');
        var methodName = dot < 0 ? entrypoint.Target : entrypoint.Target[(dot + 1)..];
        IEnumerable<Type> types;
        if (dot < 0)
        {
            types = SafeTypes(assembly);
        }
        else
        {
            var typeName = entrypoint.Target[..dot];
            var type = assembly.GetType(typeName) ?? SafeTypes(assembly).FirstOrDefault(t => t.FullName == typeName || t.Name == typeName)
                ?? throw new DeploymentSourceException($"The entrypoint's type '{typeName}' is not in {assembly.GetName().Name}.");
            types = [type];
        }

        var candidates = types.SelectMany(t => t.GetMethods(all))
            .Where(m => m.Name == methodName || LocalFunction(methodName).IsMatch(m.Name))
            .ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new DeploymentSourceException($"The entrypoint's method '{entrypoint.Target}' is not in {assembly.GetName().Name}."),
            _ => candidates.FirstOrDefault(m => m.GetCustomAttribute<FlowAttribute>() is not null)
                ?? throw new DeploymentSourceException($"The entrypoint '{entrypoint.Target}' names {candidates.Count} methods; mark the flow with [Flow] or name its type."),
        };
    }

    /// <summary>A local function of top-level statements compiles to <c>&lt;&lt;Main&gt;$&gt;g__NAME|0_0</c>.</summary>
    private static Regex LocalFunction(string name) => new($@"^<.*>g__{Regex.Escape(name)}\|\d+_\d+$", RegexOptions.CultureInvariant);

    private static IEnumerable<Type> SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    private sealed class FlowLoadContext(string mainAssembly) : AssemblyLoadContext($"reeve-flow:{Path.GetFileName(mainAssembly)}")
    {
        private static readonly HashSet<string> Shared = SharedNames();
        private readonly AssemblyDependencyResolver _resolver = new(Path.GetFullPath(mainAssembly));

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name is { } name && Shared.Contains(name))
            {
                return null;
            }

            return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

        /// <summary>The assemblies the host process was started with: the framework's and its own dependencies.</summary>
        private static HashSet<string> SharedNames()
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
            {
                foreach (var path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                {
                    names.Add(Path.GetFileNameWithoutExtension(path));
                }
            }

            foreach (var loaded in Default.Assemblies)
            {
                if (loaded.GetName().Name is { } name)
                {
                    names.Add(name);
                }
            }

            return names;
        }
    }
}
