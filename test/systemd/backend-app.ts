/**
 * A service on the systemd backend alone, for test/systemd/backend.test.ts: the backend's channel,
 * stored settings, data folder, journal and _exit, driven by the real Lifecycle — what service mode
 * wires, without the rest of the exe. Bundled by the test; the last argument is koffi's folder in
 * the container (the exe loads its embedded koffi instead).
 */
import { createRequire } from 'node:module';
import { Lifecycle } from '../../runtime-shim/lifecycle/lifecycle';
import type { Koffi } from '../../runtime-shim/addons/native-module';
import { bindLibc } from '../../runtime-shim/platform/systemd/libc-bindings';
import { journalSystemLog, systemdPlatform } from '../../runtime-shim/platform/systemd/systemd-platform';

const NAME = 'svcpack-backend';
const koffiDir = process.argv.at(-1)!;
const platform = systemdPlatform({ koffiSha256: '' }, { libc: bindLibc(() => createRequire(import.meta.url)(koffiDir) as Koffi) });
const log = journalSystemLog();
const say = (message: string): void => log.write('info', 'lifecycle', message);
const channel = platform.serviceChannel(NAME, (message) => log.write('error', 'lifecycle', message));
const result = await channel.connect();
say(`connect: ${result}; NOTIFY_SOCKET left: ${process.env.NOTIFY_SOCKET !== undefined}; WATCHDOG_USEC left: ${process.env.WATCHDOG_USEC !== undefined}`);
say(`stored: ${JSON.stringify(platform.storedSettings(NAME).read())}; data folder: ${platform.dataDir(NAME, 'system')}`);
if (result !== 'service') process.exit(9);

const timers = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms).unref(),
  clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn: () => void, ms: number) => setInterval(fn, ms).unref(),
  clearInterval: (h: unknown) => clearInterval(h as NodeJS.Timeout),
};
const lifecycle = new Lifecycle(
  {
    report: (status) => channel.report(status),
    runStopHandlers: async () => say('stop work'),
    log: (level, message) => log.write(level, 'lifecycle', message),
    exit: (code) => platform.terminateSelf()(code),
    clock: timers,
    runControl: async (control) => say(`control ${String(control)}`),
    stopping: (timeoutMs, cause) => channel.stopping(timeoutMs, cause),
  },
  { stopTimeoutMs: 5_000 },
);
channel.listen(lifecycle);
lifecycle.start();
lifecycle.setControls({ pauseContinue: false, paramChange: true, rotate: false, custom: false, sessionChange: false, powerEvent: false });
// The app "starts" a little later: systemd must wait for READY=1.
setTimeout(() => lifecycle.started(), 500);
// The app's work keeps the process alive.
setInterval(() => {}, 1 << 30);
