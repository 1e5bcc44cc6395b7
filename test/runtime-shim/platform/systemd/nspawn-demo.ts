/**
 * A hand check of notify.ts and journal-sink.ts under a real systemd (not a vitest file): a
 * process that logs at every level, says READY=1 with a status, beats the watchdog, reloads on
 * SIGHUP (RELOADING=1 + MONOTONIC_USEC, then READY=1) and says STOPPING=1 on SIGTERM. Run it in a
 * systemd-nspawn container (see the Linux spike notes for booting one) as
 *
 *   npx esbuild test/runtime-shim/platform/systemd/nspawn-demo.ts --bundle --platform=node \
 *     --format=esm --external:koffi --outfile=<root>/opt/demo/demo.mjs
 *   (plus koffi's package.json, index.js and build/koffi/linux_x64 under <root>/opt/demo/node_modules/koffi,
 *    and a node binary at <root>/opt/node)
 *
 * with the unit
 *
 *   [Service]
 *   Type=notify-reload
 *   NotifyAccess=main
 *   ExecStart=/opt/node /opt/demo/demo.mjs
 *   WatchdogSec=2
 *   DynamicUser=yes
 *
 * then `systemctl start demo; sleep 5; systemctl reload demo; systemctl stop demo` all succeed,
 * `systemctl status` shows the status text, and `journalctl -u demo -p warning` shows the warning
 * and each line of the stack.
 */
import { createRequire } from 'node:module';
import type { Koffi } from '../../../../runtime-shim/addons/native-module';
import { JournalSink } from '../../../../runtime-shim/platform/systemd/journal-sink';
import { bindLibc } from '../../../../runtime-shim/platform/systemd/libc-bindings';
import { systemdNotifier } from '../../../../runtime-shim/platform/systemd/notify';

const log = new JournalSink({ minLevel: 'debug' });
const notifier = systemdNotifier(bindLibc(() => createRequire(import.meta.url)('koffi') as Koffi));
log.write('info', 'lifecycle', `starting; notify socket ${notifier.socket}, watchdog every ${notifier.watchdogInterval()} ms`);
log.write('debug', 'app', 'a debug line');
log.write('warn', 'app', 'a warning');
log.write('error', 'lifecycle', 'Error: boom\n    at run (/opt/demo/demo.js:3:9)\n    at main (/opt/demo/demo.js:9:1)');
log.write('info', 'stdout', '<0>not an emergency\x1b[31m red');
setTimeout(() => {
  notifier.ready('serving');
  log.write('info', 'lifecycle', 'running');
}, 300);
const heartbeat = notifier.watchdogInterval();
if (heartbeat !== null) setInterval(() => notifier.watchdog(), heartbeat);
process.on('SIGHUP', () => {
  notifier.reloading('reloading');
  log.write('info', 'lifecycle', 'reloading');
  setTimeout(() => {
    notifier.ready('reloaded');
    log.write('info', 'lifecycle', 'reloaded');
  }, 500);
});
process.on('SIGTERM', () => {
  notifier.stopping();
  log.write('info', 'lifecycle', 'stopping');
  setTimeout(() => process.exit(0), 200);
});
