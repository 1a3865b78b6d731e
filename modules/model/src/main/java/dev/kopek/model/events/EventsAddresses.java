package dev.kopek.model.events;

/** The event-bus addresses of Kopek's events and webhooks (docs/EVENT-BUS.md). */
public final class EventsAddresses {

  private EventsAddresses() {}

  /**
   * Published: every event, its envelope as a JSON object (the body a webhook carries). Also
   * published on {@code kopek.events.<type>}, see {@link #ofType}.
   */
  public static final String ALL = "kopek.events";

  /** Published: the events of one type, e.g. {@code kopek.events.wallet.runway_low}. */
  public static String ofType(String type) {
    return ALL + "." + type;
  }

  public static final String ENDPOINT_CREATE = "kopek.webhooks.endpoint.create";
  public static final String ENDPOINTS_LIST = "kopek.webhooks.endpoints.list";
  public static final String ENDPOINT_GET = "kopek.webhooks.endpoint.get";
  public static final String ENDPOINT_UPDATE = "kopek.webhooks.endpoint.update";
  public static final String ENDPOINT_DELETE = "kopek.webhooks.endpoint.delete";
  public static final String ENDPOINT_ROTATE_SECRET = "kopek.webhooks.endpoint.rotate_secret";
  public static final String ENDPOINT_DELIVERIES = "kopek.webhooks.endpoint.deliveries";
  public static final String EVENTS_LIST = "kopek.webhooks.events.list";
  public static final String EVENT_GET = "kopek.webhooks.event.get";
  public static final String EVENT_REDELIVER = "kopek.webhooks.event.redeliver";
}
