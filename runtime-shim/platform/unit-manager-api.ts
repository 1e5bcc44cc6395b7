/**
 * The seam's contract for a backend that manages installed services its own way (systemd units)
 * rather than through the SCM-shaped ScmApi (manager-api.ts) the Windows commands program
 * against. commands/run.ts hands it every parsed management command (manage-command.ts) when the
 * platform has one (`Platform.serviceUnits`); commands/ stays the one parser and dispatcher, and
 * the core never imports the backend that implements this.
 */
import type { ExeConfig } from '../exe-config';
import type { HelpWords, ManageCommand } from './manage-command';

export interface ServiceUnitManager {
  /**
   * Carries out `command` for the service the exe `config` describes; resolves to the process's
   * exit code (0 done, 1 the operation failed, 2 a usage error or something this platform does not
   * do). A failure the user must act on is thrown as commands/context.ts's ManageError (message,
   * hint, exit code), which commands/run.ts prints as one line `<name>: <what> — <how>`.
   */
  run(command: ManageCommand, config: ExeConfig): Promise<number>;
  /**
   * The line (`<what> — <how>`, without the leading `<name>: `) for `--service` in a process the
   * service manager did not start: the counterpart of Windows' "not by the Service Control Manager
   * (error 1063)". Pure.
   */
  notStartedByManager(name: string, serviceArg: string): string;
  /** How `help` and the usage lines speak of this platform (the executable's name, root, what purge deletes). Pure. */
  helpWords(config: ExeConfig): HelpWords;
}
