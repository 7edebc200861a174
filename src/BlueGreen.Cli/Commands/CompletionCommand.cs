using System.CommandLine;
using System.Text;

namespace BlueGreen.Cli.Commands;

/// <summary>
/// `completion bash|zsh`: a shell completion script written from the real command tree, so it names exactly
/// the commands and options the parser accepts. Site names come from the home's conf/sites at completion time.
/// </summary>
public static class CompletionCommand
{
    public static Command Build(RootCommand root)
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "prints a completion script: source <(./run.sh completion bash), or zsh") { shell };
        command.SetAction(parse =>
        {
            Console.Out.Write(Script(root, parse.GetValue(shell)!));
            return 0;
        });
        return command;
    }

    /// <summary>The script for bash, or for zsh (the same script through zsh's bashcompinit).</summary>
    public static string Script(RootCommand root, string shell)
    {
        var text = new StringBuilder();
        if (shell == "zsh")
        {
            text.Append("#compdef run.sh\n# zsh completion for BlueGreen Orchestrator's ./run.sh (./run.sh completion zsh)\n");
            text.Append("autoload -U +X bashcompinit && bashcompinit\n");
        }
        else
        {
            text.Append("# bash completion for BlueGreen Orchestrator's ./run.sh (./run.sh completion bash)\n");
        }

        text.Append("# load it with: source <(./run.sh completion ").Append(shell).Append(")\n");
        var commands = Walk(root, "").ToList();
        // Options that take a value (a flag's optional "true"/"false" is never typed): the next word is theirs.
        var valued = commands.SelectMany(c => OptionsOf(c.Command, root)).Where(o => o.ValueType != typeof(bool) && o.Arity.MaximumNumberOfValues > 0)
            .SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct().Order(StringComparer.Ordinal).ToList();
        text.Append("_bluegreen_run_sh() {\n");
        text.Append("  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\" path=\"\" home=\"\" word i\n");
        text.Append("  ((COMP_CWORD > 0)) && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n");
        text.Append("  for ((i = 1; i < COMP_CWORD; i++)); do\n");
        text.Append("    word=\"${COMP_WORDS[i]}\"\n");
        text.Append("    case \"$word\" in\n");
        text.Append("      --home) home=\"${COMP_WORDS[i+1]}\"; ((i++)); continue ;;\n");
        text.Append("      ").Append(string.Join('|', valued.Where(v => v != "--home"))).Append(") ((i++)); continue ;;\n");
        text.Append("      -*) continue ;;\n");
        text.Append("    esac\n");
        text.Append("    case \"$path $word\" in\n");
        text.Append("      ").Append(string.Join('|', commands.Where(c => c.Path.Length > 0).Select(c => $"\"{c.Path}\""))).Append(") path=\"$path $word\" ;;\n");
        text.Append("    esac\n");
        text.Append("  done\n");
        text.Append("  case \"$prev\" in\n");
        text.Append("    --home) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n");
        text.Append("    ").Append(string.Join('|', valued.Where(v => v != "--home"))).Append(") COMPREPLY=(); return ;;\n");
        text.Append("  esac\n");
        text.Append("  local words=\"\" sites=0\n");
        text.Append("  case \"$path\" in\n");
        foreach (var (path, command) in commands)
        {
            var words = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)
                .Concat(OptionsOf(command, root).Where(o => !o.Hidden).Select(o => o.Name))
                .Concat(command.Arguments.SelectMany(a => a.Name == "shell" ? ["bash", "zsh"] : Array.Empty<string>()));
            var takesSite = command.Arguments.Any(a => a.Name == "site");
            text.Append("    \"").Append(path).Append("\") words=\"").Append(string.Join(' ', words)).Append('"');
            text.Append(takesSite ? "; sites=1" : "").Append(" ;;\n");
        }

        text.Append("  esac\n");
        text.Append("  if ((sites)) && [[ \"$cur\" != -* ]]; then\n");
        text.Append("    # The sites of the home this command would use: --home, else $BLUEGREEN_HOME, else run.sh's folder.\n");
        text.Append("    [[ -z \"$home\" ]] && home=\"${BLUEGREEN_HOME:-$(dirname -- \"${COMP_WORDS[0]}\")}\"\n");
        text.Append("    local conf\n");
        text.Append("    for conf in \"$home\"/conf/sites/*.conf; do [[ -e \"$conf\" ]] && conf=\"${conf##*/}\" && words=\"$words ${conf%.conf}\"; done\n");
        text.Append("  fi\n");
        text.Append("  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n");
        text.Append("}\n");
        text.Append("complete -F _bluegreen_run_sh run.sh ./run.sh\n");
        return text.ToString();
    }

    /// <summary>Every command with its path from the root (" lock acquire"); the root's path is "".</summary>
    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            foreach (var child in Walk(sub, $"{path} {sub.Name}"))
            {
                yield return child;
            }
        }
    }

    private static IEnumerable<Option> OptionsOf(Command command, RootCommand root) =>
        command == root ? root.Options : command.Options.Concat(root.Options.Where(o => o.Recursive));
}
