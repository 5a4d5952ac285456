/**
 * The shape every command module has, so main.ts can register them from one table. yargs calls the
 * handler synchronously; the command's work is handed back as a promise of its exit code.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { CliIo } from './io.js';

/** Receives the running command's exit code promise. */
export type Handoff = (result: Promise<number>) => void;

export interface CommandSpec<A> {
  /** yargs command string, with positionals: `get [class]`. */
  readonly command: string;
  readonly describe: string;
  readonly builder: (y: Argv) => Argv<A>;
  readonly run: (args: ArgumentsCamelCase<A>, io: CliIo) => Promise<number>;
}

/** A command bound to an io and a hand-off, ready for `yargs.command(...)`. */
export type BoundCommand = (io: CliIo, handoff: Handoff) => CommandModule<object, object>;

export function defineCommand<A>(spec: CommandSpec<A>): BoundCommand {
  return (io, handoff) => ({
    command: spec.command,
    describe: spec.describe,
    builder: (y: Argv<object>) => spec.builder(y) as unknown as Argv<object>,
    handler: (args) => {
      handoff(spec.run(args as ArgumentsCamelCase<A>, io));
    },
  });
}
