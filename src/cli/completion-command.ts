import { Argument, Command } from 'commander';

/** A command's place in the tree (`local up`) with what may follow it. */
interface CompletionNode {
  path: string;
  words: string[];
}

/** Names that need no quoting in a shell word list: every command and flag of the tree must be one. */
const shellWord = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$|^--?[A-Za-z0-9][A-Za-z0-9_-]*$/u;

function optionWords(command: Command): string[] {
  const words = command.options.flatMap((option) => [option.long, option.short]).filter((word): word is string => word !== undefined);
  return [...words, '--help'];
}

function walk(command: Command, path: string, nodes: CompletionNode[], valueOptions: Set<string>): void {
  const subcommands = command.commands.map((sub) => sub.name());
  nodes.push({ path, words: [...subcommands, ...optionWords(command)] });
  for (const option of command.options) {
    if (option.required) for (const word of [option.long, option.short]) if (word !== undefined) valueOptions.add(word);
  }
  for (const sub of command.commands) walk(sub, path === '' ? sub.name() : `${path} ${sub.name()}`, nodes, valueOptions);
}

/**
 * A bash completion function generated from the command tree (Commander has
 * none of its own): the commands and flags that may follow the words typed so
 * far, file names after a flag that takes a value. zsh runs the same function
 * through bashcompinit.
 */
export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const nodes: CompletionNode[] = [];
  const valueOptions = new Set<string>();
  walk(program, '', nodes, valueOptions);
  // Every word goes into the script unquoted: refuse a name that would need quoting rather than emit a script that runs it.
  for (const word of [...nodes.flatMap((node) => [...node.words, ...node.path.split(' ').filter(Boolean)]), ...valueOptions]) {
    if (!shellWord.test(word)) throw new Error(`completion: ${JSON.stringify(word)} is not a plain command or flag name`);
  }
  const name = program.name();
  const fn = `_${name.replace(/-/gu, '_')}_completion`;
  const paths = nodes.map((node) => node.path).filter((path) => path !== '');
  const lines = [
    `# ${name} completion for ${shell}, generated from the command tree by \`${name} completion ${shell}\`.`,
    ...(shell === 'zsh' ? ['#compdef ' + name, 'autoload -U +X bashcompinit && bashcompinit'] : []),
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" path="" word i',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    word="${COMP_WORDS[i]}"',
    '    case "${path:+$path }$word" in',
    `      ${paths.map((path) => `"${path}"`).join('|')}) path="\${path:+$path }$word" ;;`,
    '    esac',
    '  done',
    '  case "$prev" in',
    `    ${[...valueOptions].join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`,
    '  esac',
    '  local words=""',
    '  case "$path" in',
    ...nodes.map((node) => `    "${node.path}") words="${node.words.join(' ')}" ;;`),
    '  esac',
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '}',
    `complete -F ${fn} ${name}`,
  ];
  return lines.join('\n') + '\n';
}

/** `gradual completion bash|zsh`: prints the script; `source <(gradual completion bash)` loads it. */
export function completionCommand(root: () => Command): Command {
  return new Command('completion')
    .description('print a shell completion script: source <(gradual completion bash), or zsh')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      process.stdout.write(completionScript(root(), shell));
    });
}
