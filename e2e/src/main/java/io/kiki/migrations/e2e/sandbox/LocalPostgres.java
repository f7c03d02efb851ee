package io.kiki.migrations.e2e.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throwaway PostgreSQL server: either one this class starts with {@code scripts/postgres.sh} in
 * its own data directory (stopped by {@link #close()}), or the one a test run already provides
 * through {@code KIKI_TEST_POSTGRES_URL} (left running). Each scenario gets its own database on it.
 */
public final class LocalPostgres implements AutoCloseable {

  public static final String URL_VARIABLE = "KIKI_TEST_POSTGRES_URL";
  private static final Pattern EXPORT = Pattern.compile("export " + URL_VARIABLE + "=(\\S+)");

  private final PostgresUrl server;
  private final Path script;
  private final Path dataDir;
  private final long startupMillis;

  private LocalPostgres(PostgresUrl server, Path script, Path dataDir, long startupMillis) {
    this.server = server;
    this.script = script;
    this.dataDir = dataDir;
    this.startupMillis = startupMillis;
  }

  /** Uses {@code KIKI_TEST_POSTGRES_URL} when set, otherwise starts a server of its own. */
  public static LocalPostgres fromEnvironmentOrStart(Path repoRoot) throws IOException {
    String url = System.getenv(URL_VARIABLE);
    if (url != null && !url.isBlank()) {
      return new LocalPostgres(PostgresUrl.parse(url.trim()), null, null, 0);
    }
    return start(repoRoot);
  }

  /**
   * Starts a server in a new directory under the system temp directory: as root the server runs as
   * {@code postgres}, which must be able to reach its directory (a JUnit or sandbox work directory
   * may not be).
   */
  public static LocalPostgres start(Path repoRoot) throws IOException {
    long started = System.nanoTime();
    Path script = repoRoot.resolve("scripts/postgres.sh");
    Path dataDir = Files.createTempDirectory("kiki-sandbox-postgres-");
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    String output = run(script, "start", dataDir);
    Matcher m = EXPORT.matcher(output);
    if (!m.find()) {
      throw new IOException("scripts/postgres.sh start printed no " + URL_VARIABLE + " line");
    }
    return new LocalPostgres(
        PostgresUrl.parse(m.group(1)), script, dataDir, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * How long starting the server took (initdb and start), 0 for a server the environment provided.
   */
  public long startupMillis() {
    return startupMillis;
  }

  public PostgresUrl server() {
    return server;
  }

  /** Creates an empty database (dropping one left by an earlier run) and returns its URL. */
  public PostgresUrl createDatabase(String name) throws SQLException {
    return server.createDatabase(name);
  }

  @Override
  public void close() throws IOException {
    if (script != null) {
      run(script, "stop", dataDir);
      try (var files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String run(Path script, String command, Path dir) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(script.toString(), command, dir.toString());
    Path log = dir.resolve("postgres.sh.log");
    pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p = pb.start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("scripts/postgres.sh " + command + " failed; see " + log);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running scripts/postgres.sh " + command, e);
    }
  }
}
