/**
 * `hyperv-wsman completion [bash|zsh|fish]`: a completion script for the shell. Each script asks the
 * CLI itself for the words (yargs' `--get-yargs-completions` protocol), so completions follow the
 * installed version. SHELL is set for that call because yargs formats its answer by it.
 */
import type { Argv } from 'yargs';
import { defineCommand } from './command.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const NAME = 'hyperv-wsman';

const SCRIPTS: Readonly<Record<Shell, string>> = {
  bash: `###-begin-${NAME}-completions-###
# bash completion for ${NAME}. Install: ${NAME} completion bash >> ~/.bashrc
_hyperv_wsman_completions() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local IFS=$'\\n'
  local words
  words=$(SHELL=/bin/bash ${NAME} --get-yargs-completions "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o bashdefault -o default -F _hyperv_wsman_completions ${NAME}
###-end-${NAME}-completions-###
`,
  zsh: `#compdef ${NAME}
###-begin-${NAME}-completions-###
# zsh completion for ${NAME}. Install: ${NAME} completion zsh > "\${fpath[1]}/_${NAME}" (or >> ~/.zshrc)
_hyperv_wsman_completions() {
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(SHELL=/bin/zsh ${NAME} --get-yargs-completions "\${words[@]:0:$CURRENT}" 2>/dev/null))
  IFS=$si
  if [[ \${#reply} -gt 0 ]]; then _describe 'values' reply; else _default; fi
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _hyperv_wsman_completions "$@"
else
  compdef _hyperv_wsman_completions ${NAME}
fi
###-end-${NAME}-completions-###
`,
  fish: `###-begin-${NAME}-completions-###
# fish completion for ${NAME}. Install: ${NAME} completion fish > ~/.config/fish/completions/${NAME}.fish
function __hyperv_wsman_complete
  set -l words (commandline -opc) (commandline -ct)
  env SHELL=fish ${NAME} --get-yargs-completions $words 2>/dev/null
end
complete -f -c ${NAME} -a '(__hyperv_wsman_complete)'
###-end-${NAME}-completions-###
`,
};

export function completionScript(shell: Shell): string {
  return SCRIPTS[shell];
}

/** The shell to write for when none is named: $SHELL's when it is one we know, else bash. */
export function defaultShell(env: Readonly<Record<string, string | undefined>>): Shell {
  const base = (env.SHELL ?? '').split('/').pop() ?? '';
  return (SHELLS as readonly string[]).includes(base) ? (base as Shell) : 'bash';
}

export const completionCommand = defineCommand<{ shell?: string }>({
  command: 'completion [shell]',
  describe: 'Print a shell completion script: hyperv-wsman completion bash >> ~/.bashrc (also zsh, fish)',
  builder: (y) =>
    y
      .positional('shell', { type: 'string', choices: SHELLS, describe: 'bash, zsh or fish (default: from $SHELL, else bash)' })
      .example('$0 completion bash >> ~/.bashrc', 'Complete commands and flags in bash')
      .example('$0 completion fish > ~/.config/fish/completions/hyperv-wsman.fish', 'The same for fish') as Argv<{ shell?: string }>,
  run: (args, io) => {
    io.stdout.write(completionScript((args.shell as Shell | undefined) ?? defaultShell(io.env)));
    return Promise.resolve(0);
  },
});
