/**
 * The executable's shim for test/systemd/manage.test.ts, without the build: the exe's own start
 * (modes/start.ts `startExe`, what boot.ts runs) with a fixed ExeConfig and the real systemd
 * platform, so `<binary> install`, `status`, `config`, `logs`, `stop`, `uninstall` run the Linux
 * management commands (platform/systemd/manage/) and `<binary> --service` — what the unit's
 * ExecStart= runs — is the real service mode with a tiny app. Bundled by the test and run by the
 * official Node.js binary through a shell script at BINARY; koffi comes from its folder in the
 * container (the exe loads its embedded copy instead).
 */
import { createRequire } from 'node:module';
import type { Koffi } from '../../runtime-shim/addons/native-module';
import type { ExeConfig } from '../../runtime-shim/exe-config';
import { startExe } from '../../runtime-shim/modes/start';
import { bindLibc } from '../../runtime-shim/platform/systemd/libc-bindings';
import { systemdPlatform } from '../../runtime-shim/platform/systemd/systemd-platform';
import { DEFAULT_LOGGING } from '../../runtime-shim/settings/logging-settings';
import { DEFAULT_OPERATION } from '../../runtime-shim/settings/operation-settings';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { DEFAULT_SUPERVISION } from '../../runtime-shim/settings/supervision-settings';

export const NAME = 'svcpack-manage';
export const BINARY = `/opt/${NAME}/${NAME}`;
const KOFFI = '/usr/local/lib/node_modules/koffi';

const config: ExeConfig = {
  name: NAME,
  displayName: 'svcpack manage test',
  description: 'the Linux management commands on a real systemd',
  version: '1.2.3',
  svcpackVersion: '0.0.0-test',
  stopTimeoutMs: 5_000,
  koffiSha256: '',
  settings: { ...defaultSettings(NAME, 'svcpack manage test', 'the Linux management commands on a real systemd'), workingDir: 'data' },
  logging: DEFAULT_LOGGING,
  supervision: DEFAULT_SUPERVISION,
  operation: DEFAULT_OPERATION,
};

const platform = systemdPlatform(
  { koffiSha256: '' },
  { libc: bindLibc(() => createRequire(import.meta.url)(KOFFI) as Koffi), manage: { exePath: BINARY } },
);
// Management commands end the process in startExe; `--service` resolves to the app's session.
const session = await startExe({ config, platform }, { args: process.argv.slice(2), nodeStyle: null });

// The app: one line to its log, then it works until stopped.
console.log(
  `app running as uid ${process.getuid?.()} in ${process.cwd()}; SVCPACK_LOG_LEVEL=${process.env.SVCPACK_LOG_LEVEL ?? '(unset)'}; ` +
    `SVCPACK_ALERT_URL is ${process.env.SVCPACK_ALERT_URL === undefined ? 'unset' : `${process.env.SVCPACK_ALERT_URL.length} characters long`}`,
);
setInterval(() => {}, 1 << 30);
session.appLoaded();
