import { LocalErrorCode } from '../protocol/error-codes.js';
import type { Notification } from '../protocol/messages.js';
import { isNotificationMethod, NOTIFICATION_PARAMS } from '../protocol/notifications.js';
import { AppServerError } from './app-server-error.js';
import { describeIssue } from './parse-result.js';

/** Told about a notification of a known method whose params lack what its schema promises. */
export type MalformedNotificationListener = (notification: Notification, error: AppServerError) => void;

/**
 * Returns a parser that gives a notification of a known method its typed params (unknown
 * fields kept), or undefined when they do not have the promised shape: `onMalformed` hears of
 * that once per notification. Any other method passes as is. Parses each notification once,
 * however many typed subscribers see it.
 */
export function notificationParser(onMalformed: MalformedNotificationListener): (notification: Notification) => Notification | undefined {
  const parsed = new WeakMap<Notification, Notification | null>();
  return (notification) => {
    if (!isNotificationMethod(notification.method)) return notification;
    const known = parsed.get(notification);
    if (known !== undefined) return known ?? undefined;
    const result = NOTIFICATION_PARAMS[notification.method].safeParse(notification.params);
    if (result.success) {
      const typed = { ...notification, params: result.data };
      parsed.set(notification, typed);
      return typed;
    }
    parsed.set(notification, null);
    const error = new AppServerError(`${notification.method} notification with unexpected params: ${describeIssue('params', result.error)}`, {
      kind: 'protocol',
      code: LocalErrorCode.unexpectedReply,
      data: notification,
    });
    onMalformed(notification, error);
    return undefined;
  };
}
