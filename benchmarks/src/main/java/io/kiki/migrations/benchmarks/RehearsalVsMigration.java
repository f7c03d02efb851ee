package io.kiki.migrations.benchmarks;

import io.kiki.migrations.e2e.sandbox.PostgresUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What spec.rehearsal costs: {@code kiki-migrate rehearse} (what the rehearse Job runs: create a
 * scratch database, restore the backup into it, run the planned steps there, and back and forth
 * when every step is reversible, drop it) against the migration's own time, {@code kiki-migrate
 * upgrade} of the same steps on a database of 100,000 campaign_deployments. Two plans of the KIKI
 * project: 7b8c9d0e0008 -> head (the backfill of assets_source over every row, irreversible:
 * forward only), and 8c9d0e1f0009 -> head (one reversible column: there, back, there again). The
 * database is put back before each baseline run by a restore of the same backup (not timed).
 */
final class RehearsalVsMigration implements Figure {

  static final int ROWS = 100_000;
  static final String ARCHIVED = "7b8c9d0e0008";
  static final String BACKFILL = "8c9d0e1f0009";

  @Override
  public String name() {
    return "rehearsal";
  }

  @Override
  public String title() {
    return "kiki-migrate rehearse / kiki-migrate upgrade of the same steps, " + ROWS + " rows";
  }

  @Override
  public String goal() {
    return "none stated: the issue asks for the cost to be measured (a restore plus one to three runs)";
  }

  @Override
  public List<Line> measure(Bench bench) throws Exception {
    List<Line> lines = new ArrayList<>();
    lines.addAll(measure(bench, ARCHIVED, "backfill, forward only"));
    lines.addAll(measure(bench, BACKFILL, "one reversible step, round trip"));
    return lines;
  }

  private List<Line> measure(Bench bench, String start, String label) throws Exception {
    String database = "bench_rehearsal_" + start;
    PostgresUrl url = bench.postgres().createDatabase(database);
    Path log = bench.workDir().resolve("rehearsal.log");
    Path result = bench.workDir().resolve("rehearsal-result.json");
    Map<String, String> env =
        Map.of(
            "KIKI_DATABASE_URL",
            url.sqlalchemyUrl(),
            "ALEMBIC_CONFIG",
            bench.alembicIni().toString(),
            "KIKI_RESULT_FILE",
            result.toString());
    String runner = bench.runner().toString();
    Processes.timed(List.of(runner, "upgrade", "--target", ARCHIVED), env, log);
    long size = load(url);
    Processes.timed(List.of(runner, "upgrade", "--target", start), env, log);
    Path dir = bench.workDir().resolve("rehearsal-backups-" + start);
    Files.createDirectories(dir);
    Processes.timed(
        List.of(runner, "backup", "--dir", dir.toString(), "--name", "bench", "--keep", "1"),
        env,
        log);
    Path backup;
    try (var files = Files.list(dir)) {
      backup = files.filter(p -> p.toString().endsWith(".dump")).findFirst().orElseThrow();
    }
    List<String> restore = List.of(runner, "restore", "--file", backup.toString());
    List<String> upgrade = List.of(runner, "upgrade", "--target", "head");
    List<String> rehearse =
        List.of(
            runner,
            "rehearse",
            "--file",
            backup.toString(),
            "--target",
            "head",
            "--scratch",
            "kiki_rh_benchmark_" + start);
    Samples migrateWall = new Samples();
    Samples rehearseWall = new Samples();
    Samples forward = new Samples();
    Samples migrateOwn = new Samples();
    for (int run = 0; run < bench.runs(); run++) {
      Processes.timed(restore, env, log);
      migrateWall.add(Processes.timed(upgrade, env, log).wallSeconds());
      migrateOwn.add(number(Files.readString(result), "durationMs") / 1000.0);
      rehearseWall.add(Processes.timed(rehearse, env, log).wallSeconds());
      String json = Files.readString(result);
      forward.add(number(json, "forwardMs") / 1000.0);
    }
    String what = start + " -> head, " + label + " (database " + size / 1_000_000 + " MB)";
    return List.of(
        new Line(
            "rehearse, wall: " + what, rehearseWall, "kiki-migrate upgrade, wall", migrateWall),
        new Line(
            "  of which the steps on the copy (forwardMs)",
            forward,
            "the upgrade's own durationMs (without start-up)",
            migrateOwn));
  }

  /** A number field of the runner's result JSON (no JSON library on this classpath is needed). */
  private static double number(String json, String field) {
    var matcher = java.util.regex.Pattern.compile("\"" + field + "\":\\s*(\\d+)").matcher(json);
    if (!matcher.find()) {
      throw new IllegalStateException("no " + field + " in the rehearse result: " + json);
    }
    return Double.parseDouble(matcher.group(1));
  }

  /** 100,000 rows with assets_source NULL (for the backfill to update); the database's size. */
  private static long load(PostgresUrl url) throws Exception {
    int users = ROWS / 10;
    int campaigns = ROWS / 4;
    try (Connection connection = url.connect();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "INSERT INTO users (id, email) SELECT g, 'user' || g || '@kiki.example' FROM generate_series(1, "
              + users
              + ") g");
      statement.execute(
          "INSERT INTO campaigns (id, user_id, name) SELECT g, 1 + g % "
              + users
              + ", 'campaign ' || g FROM generate_series(1, "
              + campaigns
              + ") g");
      statement.execute(
          "INSERT INTO campaign_deployments (id, campaign_id, user_id, status) SELECT g, 1 + g % "
              + campaigns
              + ", 1 + g % "
              + users
              + ", 'deployed' FROM generate_series(1, "
              + ROWS
              + ") g");
      statement.execute("ANALYZE");
      try (var rs = statement.executeQuery("SELECT pg_database_size(current_database())")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
