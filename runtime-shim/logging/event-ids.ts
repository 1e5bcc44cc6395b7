/**
 * The Event Log event IDs the service reports (source = the service name). The exe's message table
 * (src/pack/message-table.ts) defines each of them as the message `%1`, so Event Viewer shows the
 * reported text itself. One ID per kind of event, so an administrator can filter or attach a
 * task to "the service failed" without parsing text; the severity travels separately, as the
 * event type. 1-9: the service lifecycle, 10-19: the app's own `service.log`.
 */
export const EventId = {
  /** The service reached RUNNING. Information. */
  Started: 1,
  /** The service stopped: information after a requested stop, error after a failure. */
  Stopped: 2,
  /** A lifecycle warning: a forced stop, an app restart under supervision. Warning. */
  LifecycleWarning: 3,
  /** A failure: crash (with the first lines of its stack), failed start, giving up. Error. */
  Failure: 4,
  /** `service.log.warn`. Warning. */
  AppWarning: 10,
  /** `service.log.error`. Error. */
  AppError: 11,
} as const;

export type EventId = (typeof EventId)[keyof typeof EventId];

/** Every ID above, ascending: the IDs the message table must define. */
export const EVENT_IDS: readonly EventId[] = Object.values(EventId).sort((a, b) => a - b);
