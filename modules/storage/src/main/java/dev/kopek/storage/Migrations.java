package dev.kopek.storage;

import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each capability module's Flyway migrations. A module keeps its scripts under {@code
 * db/<module>/} on its classpath and gets its own history table ({@code flyway_<module>_history}),
 * so each module owns its schema and versions its scripts independently of the others. Modules not
 * on the classpath are skipped.
 */
public final class Migrations {

  /** The modules that own tables, in the order their schemas are applied. */
  public static final List<String> MODULES =
      List.of("events", "ledger", "payments", "billing", "access");

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /** Applies every pending migration of every module present; returns how many ran. */
  public static int migrate(PostgresEndpoint endpoint) {
    int applied = 0;
    for (String module : MODULES) {
      if (Migrations.class.getClassLoader().getResource("db/" + module) == null) {
        continue;
      }
      MigrateResult result =
          Flyway.configure(Migrations.class.getClassLoader())
              .dataSource(endpoint.jdbcUrl(), endpoint.user(), endpoint.password())
              .locations("classpath:db/" + module)
              .table("flyway_" + module + "_history")
              .baselineOnMigrate(true)
              .baselineVersion("0")
              .load()
              .migrate();
      applied += result.migrationsExecuted;
      if (result.migrationsExecuted > 0) {
        LOG.info(
            "Applied {} migration(s) to the {} schema, now at version {}",
            result.migrationsExecuted,
            module,
            result.targetSchemaVersion);
      }
    }
    return applied;
  }
}
