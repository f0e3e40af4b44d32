import type { Notification } from '../protocol/messages.js';
import { threadIdOf } from '../protocol/thread-id.js';

/** Which notifications a subscriber wants; an empty filter matches every one. */
export interface NotificationFilter {
  /** Only this method, e.g. `turn/completed`. */
  method?: string;
  /** Only notifications about this thread: `params.threadId` or `params.thread.id`. */
  threadId?: string;
}

/** True when `notification` passes `filter`. */
export function matchesNotification(notification: Notification, filter: NotificationFilter): boolean {
  if (filter.method !== undefined && notification.method !== filter.method) return false;
  if (filter.threadId !== undefined && threadIdOf(notification.method, notification.params) !== filter.threadId) return false;
  return true;
}
