/** Every `spnas` command, in help order. Add a command by adding its module here. */
import type { CliCommand } from './command';
import { backendCommand } from './commands/backend';
import { dataCommand } from './commands/data';
import { profileCommand } from './commands/profile';
import { searchCommand } from './commands/search';
import { deriveCommand } from './commands/derive';
import { trainCommand } from './commands/train';
import { evalCommand } from './commands/eval';
import { exportCommand } from './commands/export';
import { runActivityCommand } from './commands/run-activity';
import { studyCommand } from './commands/study';
import { workerCommand } from './commands/worker';
import { temporalCommand } from './commands/temporal';
import { reportCommand } from './commands/report';

export const commands: CliCommand[] = [
  studyCommand,
  workerCommand,
  temporalCommand,
  reportCommand,
  searchCommand,
  deriveCommand,
  trainCommand,
  evalCommand,
  exportCommand,
  profileCommand,
  dataCommand,
  backendCommand,
  runActivityCommand,
];
