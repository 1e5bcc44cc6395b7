/**
 * The command-line flags of the service settings, shared by `svcpack build` and the exe's
 * `install`: one flag per `SettingsInput` key, named as its key in kebab-case (`startType` ↔
 * `--start-type`; `args` ↔ `--arg`, given once per argument). Pure.
 */
import type { SettingsInput } from './resolve';

export interface SettingFlag {
  key: keyof SettingsInput;
  /** `--start-type`. */
  flag: string;
  /** Placeholder for the value in help text: `--start-type <type>`. */
  valueName: string;
  /** Given once per value (`--env A=1 --env B=2`); the others take their last value. */
  repeatable: boolean;
  /** One line; no defaults (they differ between svcpack and a built exe). */
  help: string;
  /**
   * When a change made with `install --force` or `config set` takes effect: `now` (the SCM applies
   * it itself), or `restart` (the service's process reads it when it starts).
   */
  appliesOn: 'now' | 'restart';
}

/** The settings the service's process reads when it starts; the SCM applies the others itself. */
const RESTART_KEYS: ReadonlySet<keyof SettingsInput> = new Set<keyof SettingsInput>(['account', 'sidType', 'env', 'args', 'workingDir']);

/** Every key has a flag (the mapped type makes a missing one a compile error); listed in help order. */
const FLAG_BY_KEY: { readonly [K in keyof Required<SettingsInput>]: Omit<SettingFlag, 'key' | 'appliesOn'> } = {
  startType: { flag: '--start-type', valueName: 'type', repeatable: false, help: 'when the service starts: auto, delayed-auto, manual or disabled' },
  displayName: { flag: '--display-name', valueName: 'text', repeatable: false, help: 'name shown in services.msc, or by systemctl status on Linux (1-256 characters)' },
  description: { flag: '--description', valueName: 'text', repeatable: false, help: 'service description (at most 1024 characters)' },
  account: {
    flag: '--account',
    valueName: 'account',
    repeatable: false,
    help:
      'account the service runs as: LocalSystem, LocalService, NetworkService, NT SERVICE\\<Name>, DOMAIN\\user, .\\user, user@domain or DOMAIN\\gmsa$ (Linux: LocalSystem is root, .\\user a local user, the default a dynamic user)',
  },
  dependencies: { flag: '--dependencies', valueName: 'names', repeatable: false, help: 'comma-separated services (Linux: or units such as network-online.target) this one needs; +Name for a Windows load-order group' },
  recovery: { flag: '--recovery', valueName: 'actions', repeatable: false, help: 'Windows only: failure actions, e.g. restart/1s,restart/5s,run/30s,reboot/1m; none for no action' },
  recoveryReset: { flag: '--recovery-reset', valueName: 'duration', repeatable: false, help: 'Windows only: reset the failure count after this long without failures, in whole seconds' },
  recoveryCommand: { flag: '--recovery-command', valueName: 'command', repeatable: false, help: 'Windows only: command line that run/<delay> recovery actions execute' },
  recoveryOnNonCrash: {
    flag: '--recovery-on-non-crash',
    valueName: 'true|false',
    repeatable: false,
    help: 'Windows only: also recover when the service stops with an error code, not only when its process dies',
  },
  preshutdownTimeout: { flag: '--preshutdown-timeout', valueName: 'duration', repeatable: false, help: 'Windows only: how long Windows waits for the service at preshutdown' },
  sidType: { flag: '--sid-type', valueName: 'type', repeatable: false, help: 'Windows only: service SID in the process token: none, unrestricted or restricted' },
  env: { flag: '--env', valueName: 'KEY=value', repeatable: true, help: 'environment variable for the service (repeat for more; Linux: kept in a file only root can read)' },
  args: { flag: '--arg', valueName: 'arg', repeatable: true, help: 'argument passed to the app after --service (repeat for more)' },
  workingDir: {
    flag: '--working-dir',
    valueName: 'dir',
    repeatable: false,
    help: "folder the app starts in: exe (the executable's folder), data (the data folder) or an absolute path (D:\\apps\\MySvc, /srv/my-svc)",
  },
  allowControl: {
    flag: '--allow-control',
    valueName: 'accounts',
    repeatable: false,
    help: 'Windows only: comma-separated accounts or groups (or SIDs) that may query, start and stop the service without administrator rights; none for no one',
  },
};

export const SETTING_FLAGS: readonly SettingFlag[] = (Object.keys(FLAG_BY_KEY) as Array<keyof SettingsInput>).map(settingFlag);

/** The flag of setting `key`. */
export function settingFlag(key: keyof SettingsInput): SettingFlag {
  return { key, ...FLAG_BY_KEY[key], appliesOn: RESTART_KEYS.has(key) ? 'restart' : 'now' };
}

/**
 * Settings input from flag values: `values` maps a flag (`--start-type`) to the values given for
 * it, in order. Repeatable flags keep them all, the others the last. Flags that are not settings
 * and flags with no values are ignored; validation is `resolveSettings`'s.
 */
export function settingsInputFromFlags(values: ReadonlyMap<string, string[]>): SettingsInput {
  const input: Record<string, string | string[]> = {};
  for (const { key, flag, repeatable } of SETTING_FLAGS) {
    const given = values.get(flag);
    if (!given || given.length === 0) continue;
    input[key] = repeatable ? [...given] : given[given.length - 1]!;
  }
  // Sound: the repeatable keys (env, args) accept string[], every other key a string.
  return input as SettingsInput;
}
