package io.kiki.migrations.benchmarks;

import io.kiki.migrations.e2e.sandbox.PostgresUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kiki-migrate backup} (what a backup Job runs: pg_dump, hash, verify, retention) against a
 * bare {@code pg_dump -Fc -f FILE}, alternately on one database at the KIKI head with 100,000
 * campaign_deployments (and the users and campaigns their foreign keys need): wall clock and CPU
 * time (user + system, with child processes).
 */
final class BackupVsPgDump implements Figure {

  static final int ROWS = 100_000;

  @Override
  public String name() {
    return "backup";
  }

  @Override
  public String title() {
    return "kiki-migrate backup / bare `pg_dump -Fc -f FILE`, " + ROWS + " campaign_deployments";
  }

  @Override
  public String goal() {
    return "<= 1.1x";
  }

  @Override
  public List<Line> measure(Bench bench) throws Exception {
    PostgresUrl url = bench.postgres().createDatabase("bench_backup");
    Path log = bench.workDir().resolve("backup.log");
    Map<String, String> env =
        Map.of(
            "KIKI_DATABASE_URL",
            url.sqlalchemyUrl(),
            "ALEMBIC_CONFIG",
            bench.alembicIni().toString(),
            "KIKI_RESULT_FILE",
            bench.workDir().resolve("backup-result.json").toString());
    Processes.timed(List.of(bench.runner().toString(), "upgrade", "--target", "head"), env, log);
    long size = load(url);
    Path dir = bench.workDir().resolve("backups");
    Files.createDirectories(dir);
    Map<String, String> libpq = Map.of("PGPASSWORD", url.password());
    List<String> pgDump =
        List.of(
            "pg_dump",
            "-Fc",
            "-f",
            dir.resolve("bare.dump").toString(),
            "--host",
            url.host(),
            "--port",
            String.valueOf(url.port()),
            "--username",
            url.user(),
            "--dbname",
            url.database());
    List<String> backup =
        List.of(
            bench.runner().toString(),
            "backup",
            "--dir",
            dir.toString(),
            "--name",
            "bench",
            "--keep",
            "1");
    Samples bareWall = new Samples();
    Samples bareCpu = new Samples();
    Samples runnerWall = new Samples();
    Samples runnerCpu = new Samples();
    Samples envPyWall = new Samples();
    Samples envPyCpu = new Samples();
    // As the operator runs it: the plan's version table in the Job's environment, so the runner
    // neither imports SQLAlchemy and Alembic nor runs env.py. Without it (older operators, by
    // hand):
    // the env.py path.
    Map<String, String> told = new HashMap<>(env);
    told.put("KIKI_VERSION_TABLE", "alembic_version");
    Processes.timed(
        pgDump, libpq, log); // once unmeasured: the table files in the page cache for both
    for (int run = 0; run < bench.runs(); run++) {
      Processes.Timing bare = Processes.timed(pgDump, libpq, log);
      bareWall.add(bare.wallSeconds());
      bareCpu.add(bare.cpuSeconds());
      Processes.Timing runner = Processes.timed(backup, told, log);
      runnerWall.add(runner.wallSeconds());
      runnerCpu.add(runner.cpuSeconds());
      Processes.Timing envPy = Processes.timed(backup, env, log);
      envPyWall.add(envPy.wallSeconds());
      envPyCpu.add(envPy.cpuSeconds());
    }
    String database =
        "(database "
            + size / 1_000_000
            + " MB, archive "
            + Files.size(dir.resolve("bare.dump")) / 1000
            + " kB)";
    return List.of(
        new Line(
            "kiki-migrate backup, wall " + database, runnerWall, "pg_dump -Fc, wall", bareWall),
        new Line(
            "kiki-migrate backup, CPU (user + system)",
            runnerCpu,
            "pg_dump -Fc, CPU (user + system)",
            bareCpu),
        new Line(
            "without KIKI_VERSION_TABLE (env.py path), wall",
            envPyWall,
            "pg_dump -Fc, wall",
            bareWall),
        new Line(
            "without KIKI_VERSION_TABLE (env.py path), CPU",
            envPyCpu,
            "pg_dump -Fc, CPU (user + system)",
            bareCpu));
  }

  /**
   * Loads the rows as migrations-image/benchmarks/bench.sh does; returns the database's size in
   * bytes.
   */
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
              + ", 'campaign ' || g "
              + "FROM generate_series(1, "
              + campaigns
              + ") g");
      statement.execute(
          "INSERT INTO campaign_deployments (id, campaign_id, user_id, status, assets_source) SELECT g, "
              + "1 + g % "
              + campaigns
              + ", 1 + g % "
              + users
              + ", 'deployed', 'GENERATED' FROM generate_series(1, "
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
