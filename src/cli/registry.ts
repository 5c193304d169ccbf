/** Every `spnas` command, in help order. Add a command by adding its module here. */
import type { CliCommand } from './command';
import { backendCommand } from './commands/backend';

export const commands: CliCommand[] = [backendCommand];
