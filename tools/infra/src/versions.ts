/**
 * Pinned versions of the infrastructure: Kafka and QuestDB from Maven Central. docker-compose.yml uses the same
 * versions (a test checks that they agree).
 */
export const VERSIONS = {
  kafka: '4.3.1',
  /** log4j-core that kafka-server 4.3.1 pulls in; the SLF4J 1.x binding must match it. */
  log4j: '2.25.4',
  slf4j: '1.7.36',
  questdb: '9.3.2',
  /** Zipkin's server (exec jar, Java 17): the trace backend of `pnpm pipeline up --observe` and the tracing test. */
  zipkin: '3.6.1',
  /**
   * PostgreSQL and Redis come from the machine's Debian packages (bookworm: postgresql 15,
   * redis-server 7.0), not from Maven; these majors are what docker-compose.yml pins.
   */
  postgres: '15',
  redis: '7',
} as const;

/** Java 17 runs Kafka 4.x and QuestDB ≤ 9.3.x. */
export const MIN_JAVA_MAJOR = 17;
