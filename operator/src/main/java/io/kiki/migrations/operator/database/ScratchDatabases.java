package io.kiki.migrations.operator.database;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.RehearsalSpec;
import io.kiki.migrations.operator.job.JobNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The scratch databases of rehearsals (spec.rehearsal): their names, and dropping them over the
 * operator's own JDBC connection.
 *
 * <p>A name is {@code kiki_rh_<resource>_<hash>_<rollout>}, at most 63 bytes (PostgreSQL's limit):
 * the resource's name (cut, lower case, other characters as {@code _}) so a person sees whose it
 * is, and 8 hex digits of {@code namespace/name} so two resources never share a prefix. Every
 * scratch database of a resource starts with {@link #prefix}; that is how leftovers are found.
 *
 * <p>The runner drops its copy itself, also when the rehearsal fails. The operator drops what is
 * left when a pod was killed before it could (a deadline, a node lost, a deleted Job): at the end
 * of each rehearsal stage, and before each new one, every database of the resource's prefix except
 * the current rollout's. It does so with its own connection rather than a Job: it already reads the
 * database over JDBC, a DROP needs no image, no pod and no backup volume, and a Job could itself be
 * killed and leave the copy behind.
 */
public class ScratchDatabases {
  public static final String PREFIX = "kiki_rh_";
  public static final int MAX_NAME_BYTES = 63;
  private static final int RESOURCE_PART = 30;
  private static final int HASH_LENGTH = 8;

  private final DatabaseResolver resolver;
  private final Duration timeout;

  public ScratchDatabases(DatabaseResolver resolver, Duration timeout) {
    this.resolver = resolver;
    this.timeout = timeout;
  }

  /** {@code kiki_rh_<resource>_<hash>_}: the start of every scratch database of the resource. */
  public static String prefix(DatabaseMigration resource) {
    String name = resource.getMetadata().getName().toLowerCase(Locale.ROOT);
    String cleaned = name.replaceAll("[^a-z0-9]+", "_");
    if (cleaned.length() > RESOURCE_PART) {
      cleaned = cleaned.substring(0, RESOURCE_PART);
    }
    cleaned = cleaned.replaceAll("_+$", "");
    return PREFIX
        + cleaned
        + "_"
        + sha256(resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName())
            .substring(0, HASH_LENGTH)
        + "_";
  }

  /** The scratch database of rollout {@code rolloutId}, at most 63 bytes. */
  public static String name(DatabaseMigration resource, String rolloutId) {
    String prefix = prefix(resource);
    String rollout = rolloutId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    return prefix + JobNames.fit(rollout, MAX_NAME_BYTES - prefix.length()).replace('-', '_');
  }

  /**
   * The server the scratch databases live on: the database's own, or the one of
   * spec.rehearsal.serverSecretRef.
   */
  public JdbcTarget server(DatabaseMigration resource, JdbcTarget database)
      throws DatabaseConfigException {
    RehearsalSpec rehearsal = resource.getSpec().getRehearsal();
    if (rehearsal == null || rehearsal.getServerSecretRef() == null) {
      return database;
    }
    return resolver.resolve(resource.getMetadata().getNamespace(), rehearsal.getServerSecretRef());
  }

  /** The scratch databases of {@code resource} on {@code server}, sorted. */
  public List<String> list(JdbcTarget server, DatabaseMigration resource) throws SQLException {
    String prefix = prefix(resource);
    try (Connection connection = server.connect(timeout);
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT datname FROM pg_database WHERE left(datname, ?) = ? ORDER BY datname")) {
      statement.setQueryTimeout(JdbcTarget.timeoutSeconds(timeout));
      statement.setInt(1, prefix.length());
      statement.setString(2, prefix);
      List<String> names = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          names.add(rows.getString(1));
        }
      }
      return names;
    }
  }

  /**
   * Drops the scratch databases of {@code resource} on {@code server} except {@code keep} (may be
   * null): DROP DATABASE ... WITH (FORCE), which ends the sessions a killed pod left. Returns the
   * names dropped.
   */
  public List<String> dropAllBut(JdbcTarget server, DatabaseMigration resource, String keep)
      throws SQLException {
    List<String> dropped = new ArrayList<>();
    for (String name : list(server, resource)) {
      if (name.equals(keep)) {
        continue;
      }
      drop(server, name);
      dropped.add(name);
    }
    return dropped;
  }

  /** Drops {@code name} if it exists (only names with the scratch prefix). */
  public void drop(JdbcTarget server, String name) throws SQLException {
    if (!name.startsWith(PREFIX) || !name.matches("[a-z0-9_]+")) {
      throw new IllegalArgumentException("not a scratch database: " + name);
    }
    try (Connection connection = server.connect(timeout);
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(JdbcTarget.timeoutSeconds(timeout));
      int major = connection.getMetaData().getDatabaseMajorVersion();
      if (major >= 13) {
        statement.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
      } else {
        statement.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                + name
                + "'");
        statement.execute("DROP DATABASE IF EXISTS \"" + name + "\"");
      }
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
