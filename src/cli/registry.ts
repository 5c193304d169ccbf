/** Every `spnas` command, in help order. Add a command by adding its module here. */
import type { CliCommand } from './command';
import { backendCommand } from './commands/backend';
import { dataCommand } from './commands/data';

export const commands: CliCommand[] = [dataCommand, backendCommand];
