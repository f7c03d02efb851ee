package io.kiki.migrations.operator.job;

import java.util.Optional;

/**
 * The error codes of kiki-migrate ({@code error.code} in its result) and the class of each, which
 * is also the runner's exit code. The runner declares them in {@code
 * migrations-image/kiki_migrate/errors.py}; {@code RunnerErrorTest} fails when the two differ.
 */
public enum RunnerError {
  BAD_ARGUMENTS(ExitClass.USAGE),
  BAD_DATABASE_URL(ExitClass.USAGE),
  REHEARSAL_NOT_PERMITTED(ExitClass.USAGE),
  MULTIPLE_HEADS(ExitClass.REVISION),
  UNKNOWN_REVISION(ExitClass.REVISION),
  UNKNOWN_CURRENT_REVISION(ExitClass.REVISION),
  TARGET_WOULD_BRANCH(ExitClass.REVISION),
  UNVERSIONED_DATABASE(ExitClass.REVISION),
  BAD_VERSION_TABLE(ExitClass.REVISION),
  PLAN_CHANGED(ExitClass.REVISION),
  DATABASE_UNREACHABLE(ExitClass.TRANSIENT),
  LOCK_TIMEOUT(ExitClass.TRANSIENT),
  MIGRATION_FAILED(ExitClass.MIGRATION),
  REHEARSAL_FAILED(ExitClass.MIGRATION),
  BACKUP_FAILED(ExitClass.BACKUP),
  RESTORE_FAILED(ExitClass.BACKUP),
  WAIT_TIMEOUT(ExitClass.WAIT),
  INTERNAL_ERROR(ExitClass.INTERNAL);

  /** A class of errors and the runner's exit code for it ({@code EXIT_*} in errors.py). */
  public enum ExitClass {
    OK(0),
    INTERNAL(1),
    USAGE(2),
    REVISION(3),
    /** The database is unreachable or busy and was not changed: retrying later may succeed. */
    TRANSIENT(4),
    MIGRATION(5),
    BACKUP(6),
    WAIT(7);

    private final int exitCode;

    ExitClass(int exitCode) {
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  private final ExitClass exitClass;

  RunnerError(ExitClass exitClass) {
    this.exitClass = exitClass;
  }

  public ExitClass exitClass() {
    return exitClass;
  }

  public int exitCode() {
    return exitClass.exitCode();
  }

  /** Whether trying again later may succeed: the runner changed nothing. */
  public boolean isTransient() {
    return exitClass == ExitClass.TRANSIENT;
  }

  /**
   * The error a result's {@code error.code} names; empty for none, or for a code of a newer runner.
   */
  public static Optional<RunnerError> of(String code) {
    if (code == null) {
      return Optional.empty();
    }
    for (RunnerError error : values()) {
      if (error.name().equals(code)) {
        return Optional.of(error);
      }
    }
    return Optional.empty();
  }
}
