package io.kiki.migrations.operator.database;

import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;

/**
 * Where the project keeps its Alembic version table: {@code version_table} and {@code
 * version_table_schema} of its env.py, as the runner's plan reports them ({@code versionTable:
 * {schema, name}}). {@code schema} null: the connection's search_path decides, as for Alembic.
 */
public record VersionTable(String schema, String name) {
  public static final VersionTable DEFAULT = new VersionTable(null, "alembic_version");

  public VersionTable {
    schema = schema == null || schema.isEmpty() ? null : schema;
    name = name == null || name.isEmpty() ? DEFAULT.name() : name;
  }

  /** The table the last plan reported for this resource, else Alembic's default. */
  public static VersionTable of(DatabaseMigrationStatus status) {
    return status == null
        ? DEFAULT
        : new VersionTable(status.getVersionTableSchema(), status.getVersionTable());
  }

  /**
   * The name as SQL, each part quoted as SQLAlchemy quotes it: an all-lowercase identifier unquoted
   * (so that {@code alembic_version} stays what Alembic created), anything else in double quotes.
   */
  public String sql() {
    return (schema == null ? "" : quote(schema) + ".") + quote(name);
  }

  private static String quote(String identifier) {
    return identifier.matches("[a-z_][a-z0-9_$]*")
        ? identifier
        : "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  public String toString() {
    return schema == null ? name : schema + "." + name;
  }
}
