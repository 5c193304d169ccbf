/**
 * `spnas` entry: dispatches to one module per command in ./commands (registered in ./registry).
 * Typed SpnasErrors become one clear line on stderr and a non-zero exit; anything else is a bug and
 * keeps its stack.
 */
import { SpnasError } from '../errors';
import { commands } from './registry';

function topHelp(): string {
  const lines = ['usage: spnas <command> [options]', '', 'commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(12)} ${c.summary}`);
  lines.push('', "Run `spnas <command> --help` for a command's options.");
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topHelp() + '\n');
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`spnas: unknown command '${name}'\n\n${topHelp()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage.trimEnd() + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof SpnasError) {
      process.stderr.write(`spnas ${name}: error [${err.code}]: ${err.message}\n`);
      // 130 and 143: the shell's codes for SIGINT and SIGTERM (a Job's stopped container: docs/kubernetes.md)
      return err.code === 'CANCELLED' ? 130 : err.code === 'TERMINATED' ? 143 : 1;
    }
    throw err;
  }
}
