package io.kiki.migrations.operator.controller;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.HealthCheckSpec;
import io.kiki.migrations.api.v1alpha1.RollbackStrategy;
import io.kiki.migrations.api.v1alpha1.TimeoutsSpec;
import io.kiki.migrations.api.v1alpha1.VerifySpec;
import io.kiki.migrations.operator.config.DurationParser;
import io.kiki.migrations.operator.health.SqlCheck;
import io.kiki.migrations.operator.window.MaintenanceWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The CRD's validation again, for API servers that do not validate (and the mock): every problem
 * names the field and what to write instead.
 */
public final class SpecValidator {
  private static final Pattern REVISION = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
  private static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$");
  private static final Pattern SECRET_KEY = Pattern.compile("^[-._a-zA-Z0-9]+$");
  private static final Pattern CHECK_NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final int MAX_RETRY_TOKEN = 253;
  private static final int MAX_CHECKS = 20;
  public static final Duration MIN_DRIFT_CHECK_INTERVAL = Duration.ofSeconds(10);
  public static final Duration MAX_DRIFT_CHECK_INTERVAL = Duration.ofHours(24);
  private static final int MAX_HISTORY_LIMIT = 10;

  private SpecValidator() {}

  /**
   * The resource's problems: first one that kept its spec from being read at all (an unknown enum
   * value), else its name (it becomes label values of its Jobs) and its spec.
   */
  public static List<String> validate(DatabaseMigration resource) {
    if (resource.getSpecProblem() != null) {
      return List.of(resource.getSpecProblem());
    }
    List<String> problems = new ArrayList<>(crdProblems(resource));
    problems.addAll(beyondCrd(resource.getSpec()));
    return problems;
  }

  /**
   * What the CRD itself refuses, so what {@code kubectl apply} against a validating API server
   * refuses: the name and the spec's patterns, bounds and rules (not the checks only the operator
   * makes, such as a verify that cannot pass in time or a SQL check that is not one read-only
   * query).
   */
  public static List<String> crdProblems(DatabaseMigration resource) {
    List<String> problems = new ArrayList<>();
    String name = resource.getMetadata().getName();
    if (name != null && name.length() > DatabaseMigration.MAX_NAME_LENGTH) {
      problems.add(
          "metadata.name must be at most "
              + DatabaseMigration.MAX_NAME_LENGTH
              + " characters (it has "
              + name.length()
              + "): the operator puts it into label values of the rollout's Jobs and pods, which Kubernetes limits to 63; "
              + "choose a shorter name");
    }
    problems.addAll(crdProblems(resource.getSpec()));
    return problems;
  }

  public static List<String> validate(DatabaseMigrationSpec spec) {
    List<String> problems = new ArrayList<>(crdProblems(spec));
    problems.addAll(beyondCrd(spec));
    return problems;
  }

  /**
   * The operator's own checks, which an API server cannot make: they need SQL parsing or arithmetic
   * on durations.
   */
  private static List<String> beyondCrd(DatabaseMigrationSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      return problems;
    }
    if (spec.getVerify() != null) {
      feasible(spec.getVerify(), problems);
    }
    if (spec.getMaintenanceWindow() != null) {
      List<String> window = MaintenanceWindow.problems(spec.getMaintenanceWindow());
      window.removeAll(MaintenanceWindow.formatProblems(spec.getMaintenanceWindow()));
      problems.addAll(window);
    }
    List<HealthCheckSpec> checks =
        spec.getVerify() == null || spec.getVerify().getChecks() == null
            ? List.of()
            : spec.getVerify().getChecks();
    for (int i = 0; i < checks.size(); i++) {
      String field = "spec.verify.checks[" + i + "]";
      if (checks.get(i).getSql() != null) {
        SqlCheck.statementProblem(checks.get(i).getSql())
            .ifPresent(p -> problems.add(field + ".sql: " + p));
      }
    }
    return problems;
  }

  private static List<String> crdProblems(DatabaseMigrationSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      return List.of("spec is missing");
    }
    if (spec.getImage() == null
        || spec.getImage().isBlank()
        || spec.getImage().chars().anyMatch(Character::isWhitespace)) {
      problems.add(
          "spec.image must name the migrations image (e.g. registry.example.com/kiki/migrations:1.6.0)");
    }
    String target = spec.getTargetRevision();
    if (target == null || !REVISION.matcher(target).matches()) {
      problems.add("spec.targetRevision '" + target + "' must be a revision id, head or base");
    } else if (DatabaseMigrationSpec.BASE.equals(target)
        && !Boolean.TRUE.equals(spec.getAllowDowngrade())) {
      problems.add(
          "spec.targetRevision base removes the whole schema: it needs spec.allowDowngrade: true");
    }
    if (spec.getDatabase() == null
        || spec.getDatabase().getUrlSecretRef() == null
        || isBlank(spec.getDatabase().getUrlSecretRef().getName())
        || isBlank(spec.getDatabase().getUrlSecretRef().getKey())) {
      problems.add(
          "spec.database.urlSecretRef needs name and key of the Secret holding the database URL");
    } else if (!NAME.matcher(spec.getDatabase().getUrlSecretRef().getName()).matches()) {
      problems.add(
          "spec.database.urlSecretRef.name '"
              + spec.getDatabase().getUrlSecretRef().getName()
              + "' is not a valid Secret name");
    }
    boolean backupEnabled =
        spec.getBackup() != null && Boolean.TRUE.equals(spec.getBackup().getEnabled());
    if (backupEnabled && isBlank(spec.getBackup().getPersistentVolumeClaim())) {
      problems.add("spec.backup.enabled needs spec.backup.persistentVolumeClaim");
    }
    if (spec.getBackup() != null
        && spec.getBackup().getKeep() != null
        && spec.getBackup().getKeep() < 1) {
      problems.add("spec.backup.keep must be at least 1");
    }
    if (spec.getRollback() != null
        && spec.getRollback().getOnFailure() == RollbackStrategy.Restore
        && !backupEnabled) {
      problems.add("spec.rollback.onFailure Restore needs spec.backup.enabled: true");
    }
    if (spec.getRehearsal() != null
        && Boolean.TRUE.equals(spec.getRehearsal().getEnabled())
        && !backupEnabled) {
      problems.add(
          "spec.rehearsal.enabled restores the rollout's backup: it needs spec.backup.enabled: true");
    }
    if (spec.getRehearsal() != null && spec.getRehearsal().getServerSecretRef() != null) {
      var ref = spec.getRehearsal().getServerSecretRef();
      if (isBlank(ref.getName()) || !NAME.matcher(ref.getName()).matches()) {
        problems.add(
            "spec.rehearsal.serverSecretRef.name '"
                + ref.getName()
                + "' is not a valid Secret name");
      }
      if (isBlank(ref.getKey()) || !SECRET_KEY.matcher(ref.getKey()).matches()) {
        problems.add(
            "spec.rehearsal.serverSecretRef.key '" + ref.getKey() + "' is not a valid Secret key");
      }
    }
    validateVerify(spec.getVerify(), problems);
    TimeoutsSpec timeouts = spec.getTimeouts();
    if (timeouts != null) {
      duration("spec.timeouts.plan", timeouts.getPlan(), problems);
      duration("spec.timeouts.backup", timeouts.getBackup(), problems);
      duration("spec.timeouts.migrate", timeouts.getMigrate(), problems);
      duration("spec.timeouts.rollback", timeouts.getRollback(), problems);
      duration("spec.timeouts.lock", timeouts.getLock(), problems);
    }
    validateDriftCheckInterval(spec.getDriftCheckInterval(), problems);
    if (spec.getMaintenanceWindow() != null) {
      problems.addAll(MaintenanceWindow.formatProblems(spec.getMaintenanceWindow()));
    }
    historyLimit("spec.successfulJobsHistoryLimit", spec.getSuccessfulJobsHistoryLimit(), problems);
    historyLimit("spec.failedJobsHistoryLimit", spec.getFailedJobsHistoryLimit(), problems);
    validateFormats(spec, problems);
    return problems;
  }

  private static void historyLimit(String field, Integer value, List<String> problems) {
    if (value != null && (value < 0 || value > MAX_HISTORY_LIMIT)) {
      problems.add(
          field
              + " is "
              + value
              + "; it must be 0 to "
              + MAX_HISTORY_LIMIT
              + " (the rollouts status.history remembers)");
    }
  }

  /**
   * The CRD's patterns and bounds on names and values (SpecValidatorMatchesCrdTest keeps the two
   * lists equal).
   */
  private static void validateFormats(DatabaseMigrationSpec spec, List<String> problems) {
    if (spec.getRetryToken() != null && spec.getRetryToken().length() > MAX_RETRY_TOKEN) {
      problems.add(
          "spec.retryToken is "
              + spec.getRetryToken().length()
              + " characters long; at most "
              + MAX_RETRY_TOKEN);
    }
    if (spec.getDatabase() != null && spec.getDatabase().getUrlSecretRef() != null) {
      String key = spec.getDatabase().getUrlSecretRef().getKey();
      if (!isBlank(key) && !SECRET_KEY.matcher(key).matches()) {
        problems.add(
            "spec.database.urlSecretRef.key '"
                + key
                + "' is not a valid Secret key (letters, digits, '-', '_', '.')");
      }
    }
    if (spec.getBackup() != null
        && !isBlank(spec.getBackup().getPersistentVolumeClaim())
        && !NAME.matcher(spec.getBackup().getPersistentVolumeClaim()).matches()) {
      problems.add(
          "spec.backup.persistentVolumeClaim '"
              + spec.getBackup().getPersistentVolumeClaim()
              + "' is not a valid PersistentVolumeClaim name (lower-case letters, digits, '-', '.')");
    }
    VerifySpec verify = spec.getVerify();
    List<HealthCheckSpec> checks =
        verify == null || verify.getChecks() == null ? List.of() : verify.getChecks();
    if (checks.size() > MAX_CHECKS) {
      problems.add("spec.verify.checks has " + checks.size() + " checks; at most " + MAX_CHECKS);
    }
    for (int i = 0; i < checks.size(); i++) {
      HealthCheckSpec check = checks.get(i);
      String field = "spec.verify.checks[" + i + "]";
      if (check.getDeployment() != null
          && !isBlank(check.getDeployment().getName())
          && !NAME.matcher(check.getDeployment().getName()).matches()) {
        problems.add(
            field
                + ".deployment.name '"
                + check.getDeployment().getName()
                + "' is not a valid Deployment name");
      }
      Integer status = check.getHttp() == null ? null : check.getHttp().getExpectStatus();
      if (status != null && (status < 100 || status > 599)) {
        problems.add(field + ".http.expectStatus " + status + " is no HTTP status; use 100 to 599");
      }
    }
  }

  private static void validateVerify(VerifySpec verify, List<String> problems) {
    if (verify == null) {
      return;
    }
    boolean timeoutValid = duration("spec.verify.timeout", verify.getTimeout(), problems);
    boolean intervalValid = duration("spec.verify.interval", verify.getInterval(), problems);
    Duration timeout =
        timeoutValid && verify.getTimeout() != null
            ? DurationParser.parse(verify.getTimeout())
            : null;
    Duration interval =
        intervalValid && verify.getInterval() != null
            ? DurationParser.parse(verify.getInterval())
            : null;
    if (interval != null && (interval.isZero() || interval.isNegative())) {
      problems.add(
          "spec.verify.interval must be longer than 0s (e.g. 10s): it is the time between two rounds of checks");
    }
    if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
      problems.add("spec.verify.timeout must be longer than 0s (e.g. 5m)");
    }
    if (interval != null && timeout != null && interval.compareTo(timeout) > 0) {
      problems.add(
          "spec.verify.interval must not be longer than spec.verify.timeout: no second round of checks could run "
              + "before the timeout");
    }
    duration("spec.verify.databaseOutageTimeout", verify.getDatabaseOutageTimeout(), problems);
    if (verify.getSuccessThreshold() != null && verify.getSuccessThreshold() < 1) {
      problems.add("spec.verify.successThreshold must be at least 1");
    }
    Set<String> names = new HashSet<>();
    List<HealthCheckSpec> checks = verify.getChecks() == null ? List.of() : verify.getChecks();
    for (int i = 0; i < checks.size(); i++) {
      HealthCheckSpec check = checks.get(i);
      String field = "spec.verify.checks[" + i + "]";
      if (isBlank(check.getName())) {
        problems.add(field + ".name is required");
      } else if (check.getName().length() > 63) {
        problems.add(field + ".name '" + check.getName() + "' must be at most 63 characters");
      } else if (!CHECK_NAME.matcher(check.getName()).matches()) {
        problems.add(
            field
                + ".name '"
                + check.getName()
                + "' must be lower-case letters, digits and '-', starting and "
                + "ending with a letter or digit (e.g. campaigns-readable)");
      } else if (!names.add(check.getName())) {
        problems.add(field + ".name '" + check.getName() + "' is used twice");
      }
      int kinds =
          (check.getSql() != null ? 1 : 0)
              + (check.getHttp() != null ? 1 : 0)
              + (check.getDeployment() != null ? 1 : 0);
      if (kinds != 1) {
        problems.add(field + " needs exactly one of sql, http, deployment");
      }
      if (check.getHttp() != null
          && (check.getHttp().getUrl() == null
              || !check.getHttp().getUrl().matches("^https?://\\S+$"))) {
        problems.add(field + ".http.url must be an http:// or https:// URL");
      }
      if (check.getDeployment() != null && isBlank(check.getDeployment().getName())) {
        problems.add(field + ".deployment.name is required");
      }
    }
  }

  /**
   * The first round runs when verification starts and one more every interval, so successThreshold
   * passing rounds take (successThreshold - 1) x interval: a timeout not longer than that can never
   * pass, and the rollout would roll back a migration whose every check passed. Refused before
   * planning, with numbers that work.
   */
  private static void feasible(VerifySpec verify, List<String> problems) {
    if (!DurationParser.isValid(verify.getTimeout())
        || !DurationParser.isValid(verify.getInterval())
        || verify.getSuccessThreshold() == null
        || verify.getSuccessThreshold() < 1) {
      return;
    }
    Duration timeout = DurationParser.parse(verify.getTimeout());
    Duration interval = DurationParser.parse(verify.getInterval());
    if (timeout.isZero() || timeout.isNegative() || interval.isZero() || interval.isNegative()) {
      return; // reported on its own
    }
    int threshold = verify.getSuccessThreshold();
    Duration needed = interval.multipliedBy(threshold - 1L);
    if (timeout.compareTo(needed) <= 0) {
      long smallestTimeout = needed.toSeconds() + 1;
      long largestInterval = (timeout.toMillis() - 1) / ((threshold - 1) * 1000L);
      problems.add(
          "spec.verify cannot pass in time: timeout must be longer than (successThreshold - 1) x interval, "
              + "the time from the first to the last of "
              + threshold
              + " passing rounds every "
              + verify.getInterval()
              + ", that is "
              + needed.toSeconds()
              + "s, but timeout is "
              + verify.getTimeout()
              + ". Set timeout to "
              + smallestTimeout
              + "s or more"
              + (largestInterval > 0 ? ", or interval to " + largestInterval + "s or less" : "")
              + ", or lower successThreshold");
    }
  }

  private static void validateDriftCheckInterval(String value, List<String> problems) {
    if (value == null || !duration("spec.driftCheckInterval", value, problems)) {
      return;
    }
    Duration interval = DurationParser.parse(value);
    if (interval.compareTo(MIN_DRIFT_CHECK_INTERVAL) < 0
        || interval.compareTo(MAX_DRIFT_CHECK_INTERVAL) > 0) {
      problems.add(
          "spec.driftCheckInterval '"
              + value
              + "' must be between 10s and 24h (e.g. 5m): it is how often the operator reads the database's"
              + " revision");
    }
  }

  /** False when the value is set and not a duration (the problem is added). */
  private static boolean duration(String field, String value, List<String> problems) {
    if (value != null && !DurationParser.isValid(value)) {
      problems.add(field + " '" + value + "' is not a duration like 90s, 2m or 1h30m");
      return false;
    }
    return true;
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }
}
