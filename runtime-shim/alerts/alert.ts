/**
 * What an alert is (`--alert-url`): the events the service alerts on and the JSON body a
 * webhook receives. Pure.
 */

/**
 * - crash: the app ended unexpectedly (supervised: an exit not asked for; in-process: an uncaught
 *   exception or unhandled rejection);
 * - restart: the supervisor restarts the app (with the attempt number);
 * - give-up: the supervisor stopped restarting the app (the service stops, exit code 4);
 * - health-check-failed / heartbeat-lost: the supervisor ends an app that stopped answering;
 * - start-failed: the service could not start (a failing pre-start hook, the app's start threw).
 */
export type AlertEvent = 'crash' | 'restart' | 'give-up' | 'health-check-failed' | 'heartbeat-lost' | 'start-failed';

export interface AlertDetails {
  /** The app's exit code, where it exited. */
  exitCode?: number;
  /** The restart's number within the restart window. */
  attempt?: number;
}

/** The JSON body POSTed to the webhook. */
export interface AlertBody extends AlertDetails {
  service: string;
  event: AlertEvent;
  /** The log line that describes it. */
  message: string;
  /** ISO 8601, UTC. */
  time: string;
  /** The computer's name. */
  host: string;
  /** The process that raised it (the supervisor, or the service process in in-process mode). */
  pid: number;
}

export function alertBody(origin: { service: string; host: string; pid: number }, event: AlertEvent, message: string, time: Date, details: AlertDetails = {}): AlertBody {
  return { service: origin.service, event, message, time: time.toISOString(), host: origin.host, pid: origin.pid, ...details };
}
