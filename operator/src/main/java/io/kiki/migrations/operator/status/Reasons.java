package io.kiki.migrations.operator.status;

import java.util.Set;

/**
 * Every reason the operator writes into conditions, history and events: one constant per outcome.
 */
public final class Reasons {
  // Rollout in progress (Reconciling=True)
  public static final String PLANNING = "Planning";
  public static final String BACKING_UP = "BackingUp";
  public static final String REHEARSING = "Rehearsing";
  public static final String MIGRATING = "Migrating";
  public static final String VERIFYING = "Verifying";
  public static final String ROLLING_BACK = "RollingBack";
  public static final String RESTORING = "Restoring";
  public static final String WAITING_FOR_DATABASE = "WaitingForDatabase";

  /** spec.approval Manual: the plan waits for the annotation migrations.kiki.io/approve. */
  public static final String AWAITING_APPROVAL = "AwaitingApproval";

  /**
   * The approve annotation names another plan hash than the current plan's: it approves nothing.
   */
  public static final String APPROVAL_STALE = "ApprovalStale";

  /** The approve annotation names the plan's hash: the rollout goes on. */
  public static final String APPROVED = "Approved";

  /**
   * The plan's document could not be read from the plan pod's log: the plan ConfigMap has the plan
   * without its SQL, and says why.
   */
  public static final String PLAN_DOCUMENT_UNAVAILABLE = "PlanDocumentUnavailable";

  /** Held before a stage that touches the database until spec.maintenanceWindow lets it start. */
  public static final String WAITING_FOR_WINDOW = "WaitingForMaintenanceWindow";

  /**
   * spec.maintenanceWindow.schedule opens no window any more (e.g. "0 2 31 2 *"): the rollout holds
   * in phase Blocked until the window is changed.
   */
  public static final String WINDOW_NEVER_OPENS = "MaintenanceWindowNeverOpens";

  /**
   * The held stage's estimate is longer than spec.maintenanceWindow.duration: it never fits in a
   * window; the rollout holds in phase Blocked until the window or the timeout is changed.
   */
  public static final String WINDOW_TOO_SHORT = "MaintenanceWindowTooShort";

  /** spec.suspend: no rollout starts; one in flight holds before its next stage. */
  public static final String SUSPENDED = "Suspended";

  /** A held rollout goes on (event): the window opened, or spec.suspend went back to false. */
  public static final String RESUMED = "Resumed";

  // Transient problems: retried with backoff, never terminal (Reconciling=True)
  public static final String DATABASE_UNREACHABLE = "DatabaseUnreachable";
  public static final String LOCK_TIMEOUT = "LockTimeout";
  public static final String RECONCILE_ERROR = "ReconcileError";

  // Stage started (events)
  public static final String PLAN_STARTED = "PlanStarted";
  public static final String BACKUP_STARTED = "BackupStarted";
  public static final String REHEARSAL_STARTED = "RehearsalStarted";
  public static final String MIGRATION_STARTED = "MigrationStarted";
  public static final String VERIFY_STARTED = "VerifyStarted";
  public static final String ROLLBACK_STARTED = "RollbackStarted";
  public static final String RESTORE_STARTED = "RestoreStarted";

  // Stage succeeded (events)
  public static final String PLAN_SUCCEEDED = "PlanSucceeded";
  public static final String BACKUP_SUCCEEDED = "BackupSucceeded";
  public static final String REHEARSAL_SUCCEEDED = "RehearsalSucceeded";
  public static final String MIGRATION_SUCCEEDED = "MigrationSucceeded";
  public static final String ROLLBACK_SUCCEEDED = "RollbackSucceeded";
  public static final String RESTORE_SUCCEEDED = "RestoreSucceeded";

  // Ready
  public static final String SUCCEEDED = "Succeeded";
  public static final String UP_TO_DATE = "UpToDate";

  // Blocked: a human has to change the spec or the project
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String MULTIPLE_HEADS = "MultipleHeads";
  public static final String UNKNOWN_REVISION = "UnknownRevision";
  public static final String UNKNOWN_CURRENT_REVISION = "UnknownCurrentRevision";
  public static final String DOWNGRADE_NOT_ALLOWED = "DowngradeNotAllowed";

  /**
   * The target is on another branch than the database's: reaching it would leave two current
   * revisions.
   */
  public static final String TARGET_WOULD_BRANCH = "TargetWouldBranch";

  /** Tables but no version table: a person stamps the revision the schema matches. */
  public static final String UNVERSIONED_DATABASE = "UnversionedDatabase";

  /**
   * The version table holds rows Alembic would not write (a revision next to its ancestor, empty
   * values).
   */
  public static final String BAD_VERSION_TABLE = "BadVersionTable";

  /**
   * spec.lint Block and the plan's SQL lint found statements that take long or strong locks:
   * nothing ran.
   */
  public static final String LINT_FAILED = "LintFailed";

  /**
   * spec.lint Warn and the plan's SQL lint found statements that take long or strong locks (an
   * event; the rollout goes on).
   */
  public static final String LINT_FINDINGS = "LintFindings";

  /** Another resource owns the database and wants another revision. */
  public static final String DATABASE_OWNED_BY_ANOTHER = "DatabaseOwnedByAnother";

  /**
   * The database of a Ready resource was found at another revision, with no rollout having moved it
   * (phase Drifted; Ready and Stalled reason, event).
   */
  public static final String DRIFTED = "Drifted";

  /** Drifted=True: the revision read on the drift schedule is not the target. */
  public static final String REVISION_CHANGED = "RevisionChanged";

  /** Drifted=False: the database is at the target again (by itself, or by a rollout). */
  public static final String AT_TARGET = "AtTarget";

  // Configuration: the Secret has to be fixed (Stalled=True, rechecked periodically, phase Pending)
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  public static final String SECRET_KEY_NOT_FOUND = "SecretKeyNotFound";
  public static final String INVALID_DATABASE_URL = "InvalidDatabaseUrl";

  /** The database refused the URL's user or password. */
  public static final String DATABASE_AUTHENTICATION_FAILED = "DatabaseAuthenticationFailed";

  /** The server has no database of the URL's name. */
  public static final String DATABASE_NOT_FOUND = "DatabaseNotFound";

  /** The server and the URL's sslmode disagree. */
  public static final String DATABASE_TLS_REFUSED = "DatabaseTlsRefused";

  /**
   * spec.database (or its Secret) changed to another database while a rollout was working on the
   * old one.
   */
  public static final String DATABASE_CHANGED = "DatabaseChanged";

  // Failed
  public static final String PLAN_FAILED = "PlanFailed";
  public static final String BACKUP_FAILED = "BackupFailed";

  /**
   * The planned steps or the sql checks failed on a restored copy (spec.rehearsal), or the copy
   * could not be made: the real database was not touched.
   */
  public static final String REHEARSAL_FAILED = "RehearsalFailed";

  public static final String MIGRATION_FAILED = "MigrationFailed";

  /**
   * The migrate Job refused to run: the plan no longer hashes to the planned (approved) hash; the
   * database is untouched.
   */
  public static final String PLAN_CHANGED = "PlanChanged";

  public static final String HEALTH_CHECK_FAILED = "HealthCheckFailed";
  public static final String VERIFY_FAILED = "VerifyFailed";

  /**
   * The checks could not reach the database for verify.databaseOutageTimeout: Failed, not rolled
   * back.
   */
  public static final String VERIFY_INCONCLUSIVE = "VerifyInconclusive";

  public static final String ROLLBACK_FAILED = "RollbackFailed";
  public static final String IRREVERSIBLE_WITHOUT_BACKUP = "IrreversibleWithoutBackup";
  public static final String NO_BACKUP = "NoBackup";

  /**
   * A stage's Job was created and deleted before its result was read; it is never re-created
   * silently.
   */
  public static final String JOB_LOST = "JobLost";

  /** A stage's pod can never start as it is (InvalidImageName, ErrImageNeverPull). */
  public static final String JOB_CANNOT_START = "JobCannotStart";

  /**
   * A stage's Job name is taken by a Job of a deleted DatabaseMigration of the same name: a new
   * name is used.
   */
  public static final String JOB_NAME_TAKEN = "JobNameTaken";

  private static final Set<String> NORMAL =
      Set.of(
          PLANNING,
          BACKING_UP,
          REHEARSING,
          MIGRATING,
          VERIFYING,
          ROLLING_BACK,
          RESTORING,
          AWAITING_APPROVAL,
          APPROVED,
          PLAN_STARTED,
          BACKUP_STARTED,
          REHEARSAL_STARTED,
          MIGRATION_STARTED,
          VERIFY_STARTED,
          ROLLBACK_STARTED,
          RESTORE_STARTED,
          PLAN_SUCCEEDED,
          BACKUP_SUCCEEDED,
          REHEARSAL_SUCCEEDED,
          MIGRATION_SUCCEEDED,
          ROLLBACK_SUCCEEDED,
          RESTORE_SUCCEEDED,
          SUCCEEDED,
          UP_TO_DATE,
          WAITING_FOR_WINDOW,
          SUSPENDED,
          RESUMED);

  private Reasons() {}

  /** Event type for a reason: Normal for progress and success, Warning for everything else. */
  public static String eventType(String reason) {
    return NORMAL.contains(reason) ? "Normal" : "Warning";
  }
}
