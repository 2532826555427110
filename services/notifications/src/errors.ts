/** Codes raised by the notifications service (listed in its README). */
export const NotificationsErrorCode = {
  /** A webhook URL that is not http(s), carries credentials, or points at a private address. */
  WebhookUrlInvalid: 'WS_NOTIFICATIONS_WEBHOOK_URL_INVALID',
  /** The user already has NOTIFICATIONS_WEBHOOK_MAX_ENDPOINTS endpoints. */
  WebhookLimit: 'WS_NOTIFICATIONS_WEBHOOK_LIMIT',
  /** Quiet hours that start and end at the same minute (use null for none). */
  QuietHoursInvalid: 'WS_NOTIFICATIONS_QUIET_HOURS_INVALID',
  /** A list cursor that this service did not issue. */
  CursorInvalid: 'WS_NOTIFICATIONS_CURSOR_INVALID',
  /** A delivery failed for good (logged and stored as the delivery's lastError). */
  DeliveryFailed: 'WS_NOTIFICATIONS_DELIVERY_FAILED',
  /** The SMTP server could not be reached: the e-mail stays queued and is retried. */
  SmtpUnavailable: 'WS_NOTIFICATIONS_SMTP_UNAVAILABLE',
  /** A webhook endpoint was switched off after too many consecutive failures. */
  WebhookDisabled: 'WS_NOTIFICATIONS_WEBHOOK_DISABLED',
} as const;
