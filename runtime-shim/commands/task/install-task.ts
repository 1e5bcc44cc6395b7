/**
 * `install --as task --trigger <trigger> [settings] [--force] [--password-env VAR]`: registers
 * this exe as the scheduled task `\<Name>` instead of a service.
 *
 * Order of work, as service install: check administrator rights, triggers and settings (exit 2
 * for bad ones, and for service-only settings, which a task cannot honour); check that the name is
 * not a service and not another program's task, the account exists and a password is at hand;
 * then create the data folder (ACL: SYSTEM, Administrators, the task's account) and register.
 * A failed registration removes a data folder it created.
 *
 * The account: `--account`, validated as for services. A virtual account (`NT SERVICE\<Name>`)
 * exists only for services: given explicitly it is refused; as the exe's baked default it becomes
 * LocalService, the least privileged built-in account. Settings: workingDir is the task's
 * working folder, args follow the task argument, description is the task's, recovery's restart
 * actions become RestartOnFailure (task-definition.ts).
 */
import { TASK_ARG } from '../command-line';
import { accountProblem, classifyAccount, ACCOUNT_FORMS } from '../../settings/account';
import { settingFlag } from '../../settings/flags';
import { resolveSettings, SettingError, type SettingsInput } from '../../settings/resolve';
import type { ServiceSettings } from '../../settings/service-settings';
import { ManageError, refuseLinuxPath, requireAdminRights, type ManageContext } from '../context';
import { dataDirGrantee, dataDirSddl } from '../data-dir';
import { lookupOrFail, readPassword } from '../install';
import { workingFolder } from '../../host/working-dir';
import { explainTask, ownTaskOrFail, serviceExists } from './installed-kind';
import type { TaskSchedulerApi } from '../../platform/scheduler-api';
import { taskDefinitionXml, taskPrincipal, taskRestart } from './task-definition';
import { parseTriggers, TriggerError, type TaskTrigger } from './trigger';

export interface TaskInstallOptions {
  input: SettingsInput;
  force: boolean;
  passwordEnv?: string;
  /** The `--trigger` values, unparsed. */
  triggers: readonly string[];
  /** The registration time (daily and every triggers start from it). */
  now: Date;
}

export interface TaskInstallResult {
  action: 'installed' | 'updated';
  settings: ServiceSettings;
  triggers: TaskTrigger[];
  /** The definition registered. */
  xml: string;
  /** Set when the baked virtual account was replaced by LocalService. */
  accountNote: string | null;
}

/** The account a task runs as when `--account` does not say (see the module comment). */
export const TASK_DEFAULT_ACCOUNT = 'LocalService';

/** Settings a scheduled task has no place for: giving one with `--as task` is a usage error. */
const SERVICE_ONLY: ReadonlyArray<keyof SettingsInput> = [
  'startType',
  'displayName',
  'dependencies',
  'recoveryReset',
  'recoveryCommand',
  'recoveryOnNonCrash',
  'preshutdownTimeout',
  'sidType',
  'env',
];

export async function installTask(ctx: ManageContext, tasks: TaskSchedulerApi, opts: TaskInstallOptions): Promise<TaskInstallResult> {
  requireAdminRights(ctx, 'install');
  for (const key of SERVICE_ONLY) {
    if (opts.input[key] !== undefined) {
      throw new ManageError(`${settingFlag(key).flag} does not apply to a scheduled task`, 'leave it out with --as task (a task has triggers instead of a start type, no environment and no dependencies)', 2);
    }
  }
  let triggers: TaskTrigger[];
  try {
    triggers = parseTriggers(opts.triggers);
  } catch (err) {
    if (err instanceof TriggerError) throw new ManageError(err.message, err.hint, 2);
    throw err;
  }
  let settings: ServiceSettings;
  try {
    settings = resolveSettings(opts.input, ctx.baked);
  } catch (err) {
    if (err instanceof SettingError) throw new ManageError(err.message, err.hint, 2);
    throw err;
  }
  let accountNote: string | null = null;
  if (classifyAccount(settings.account, ctx.name).kind === 'virtual') {
    if (opts.input.account !== undefined) {
      throw new ManageError(`a scheduled task cannot run as the virtual account ${settings.account}`, `${ACCOUNT_FORMS.replace(/, NT SERVICE\\<Name> \(virtual account\)/, '')} with --as task`, 2);
    }
    accountNote = `account ${TASK_DEFAULT_ACCOUNT} (the exe's default ${settings.account} exists only for services)`;
    settings = { ...settings, account: TASK_DEFAULT_ACCOUNT };
  }
  if (accountProblem(settings.account) !== null) throw new ManageError(accountProblem(settings.account)!, ACCOUNT_FORMS, 2);
  refuseLinuxPath('working folder', settings.workingDir, ctx.name, '--working-dir');

  // Checks that change nothing.
  if (serviceExists(ctx)) {
    throw new ManageError(
      `${ctx.name} is installed as a service`,
      `a name is either a service or a scheduled task: run "${ctx.name}.exe uninstall" first, then install --as task`,
    );
  }
  let existing: string | null;
  try {
    existing = tasks.definition(ctx.name);
  } catch (err) {
    explainTask(err, ctx, `reading scheduled task ${ctx.name}`, 'install');
  }
  if (existing !== null) {
    ownTaskOrFail(ctx, existing, 'install');
    if (!opts.force) {
      throw new ManageError(
        `${ctx.name} is already installed as a scheduled task`,
        `run "${ctx.name}.exe install --as task --force ..." to replace its definition, or "${ctx.name}.exe uninstall" first`,
      );
    }
  }
  const cls = classifyAccount(settings.account, ctx.name);
  const principal = taskPrincipal(settings.account, cls);
  let accountSid: string | null = null;
  let password: string | null = null;
  if (cls.kind === 'user' || cls.kind === 'gmsa') {
    accountSid = lookupOrFail(ctx, settings.account);
    if (principal.needsPassword) password = await readPassword(ctx, settings.account, opts.passwordEnv);
  }

  const xml = taskDefinitionXml({
    name: ctx.name,
    description: settings.description,
    exePath: ctx.exePath,
    taskArg: TASK_ARG,
    args: settings.args,
    workingDirectory: workingFolder(settings.workingDir, { exePath: ctx.exePath, dataDir: ctx.dataDir, flavour: 'windows' }),
    principal,
    triggers,
    restart: taskRestart(settings.recovery),
    now: opts.now,
  });

  // Apply: the data folder, then the registration.
  const dirCreated = ctx.fs.mkdir(ctx.dataDir);
  try {
    const grantee = dataDirGrantee(ctx.name, { ...settings, sidType: 'none' }, (name) => accountSid ?? lookupOrFail(ctx, name));
    ctx.api.setFolderAcl(ctx.dataDir, dataDirSddl(grantee));
    tasks.register(ctx.name, xml, { user: principal.registerAs, logon: principal.logon, password });
  } catch (err) {
    if (dirCreated) ctx.fs.remove(ctx.dataDir);
    explainTask(err, ctx, `registering scheduled task ${ctx.name}`, 'install');
  }
  return { action: existing === null ? 'installed' : 'updated', settings, triggers, xml, accountNote };
}
