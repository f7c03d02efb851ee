package io.kiki.migrations.benchmarks;

import io.kiki.migrations.e2e.sandbox.ImageMappings;
import io.kiki.migrations.e2e.sandbox.LocalPostgres;
import io.kiki.migrations.e2e.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What the figures share: the checkout, the number of runs, a work directory, and (started when a
 * figure first asks) one throwaway PostgreSQL server and one sandbox on it, stopped by {@link
 * #close()}.
 */
public final class Bench implements AutoCloseable {
  private final Path repo;
  private final int runs;
  private final Path workDir;
  private Sandbox sandbox;

  Bench(Path repo, int runs, Path workDir) {
    this.repo = repo;
    this.runs = runs;
    this.workDir = workDir;
  }

  public Path repo() {
    return repo;
  }

  public int runs() {
    return runs;
  }

  public Path workDir() {
    return workDir;
  }

  /** The kiki-migrate runner of this checkout, as the sandbox kubelet runs it. */
  public Path runner() {
    return repo.resolve("migrations-image/bin/kiki-migrate");
  }

  /** The KIKI Alembic project's configuration. */
  public Path alembicIni() {
    return repo.resolve("migrations-image/alembic.ini");
  }

  /**
   * The sandbox (mock API server, operator, kubelet running the real runner, PostgreSQL), started
   * once.
   */
  public synchronized Sandbox sandbox() throws IOException {
    if (sandbox == null) {
      sandbox =
          Sandbox.start(
              repo,
              workDir.resolve("sandbox"),
              new ImageMappings(repo.resolve("migrations-image")));
    }
    return sandbox;
  }

  /** The sandbox's PostgreSQL server. */
  public LocalPostgres postgres() throws IOException {
    return sandbox().postgres();
  }

  @Override
  public synchronized void close() {
    if (sandbox != null) {
      sandbox.close();
      sandbox = null;
    }
  }
}
