/** The shape every `spnas <command>` module exports. */
export interface CliCommand {
  name: string;
  /** One line for `spnas --help`. */
  summary: string;
  /** Full text for `spnas <command> --help`. */
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}
