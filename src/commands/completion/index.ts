import { BUILTIN_POLICY_NAMES } from '../../core/claims/policy-names.js';
import { Argument, Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { globalsOf } from '../globals.js';
import { renderCompletion, SHELLS, type CompletionNode, type Shell } from '../../core/completion.js';

interface CommandLike {
  name(): string;
  description(): string;
  options: readonly { long?: string; short?: string; required: boolean; optional: boolean; argChoices?: string[]; hidden: boolean; description: string }[];
  commands: readonly CommandLike[];
  registeredArguments: readonly { name(): string; argChoices?: string[] }[];
}

/** Reads commander's tree into the plain shape the renderers take. */
function completionTree(command: CommandLike): CompletionNode {
  const options = command.options
    .filter((o) => !o.hidden)
    .map((o) => ({
      flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
      takesValue: o.required || o.optional,
      description: o.description,
      ...(o.argChoices ? { choices: o.argChoices } : {}),
      ...(o.long === '--profile' ? { dynamic: 'profiles' as const } : {}),
      ...(o.long === '--policy' ? { suggestions: BUILTIN_POLICY_NAMES } : {}),
    }));
  options.push({ flags: ['-h', '--help'], takesValue: false, description: 'show help' });
  const first = command.registeredArguments[0];
  return {
    name: command.name(),
    description: command.description(),
    options,
    ...(first?.name() === 'profile' ? { argument: 'profiles' as const } : first?.argChoices ? { argument: first.argChoices } : {}),
    subcommands: command.commands.filter((c) => c.name() !== 'help').map(completionTree),
  };
}

export function completionCommand(deps: Deps, root: () => CommandLike) {
  return new Command('completion')
    .description('print the shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  authctl completion bash > ~/.local/share/bash-completion/completions/authctl
  authctl completion zsh > "\${fpath[1]}/_authctl"
  authctl completion fish > ~/.config/fish/completions/authctl.fish`,
    )
    .action(async (shell, _flags, cmd) => {
      const script = renderCompletion(shell as Shell, completionTree(root()));
      await deps.emit({ json: { shell, script }, text: () => script }, globalsOf(cmd));
    });
}
