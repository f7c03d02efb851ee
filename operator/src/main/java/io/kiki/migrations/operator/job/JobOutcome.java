package io.kiki.migrations.operator.job;

import java.util.Optional;

/** What became of a stage's Job. */
public sealed interface JobOutcome {
  /**
   * Created now, or still running (or finished, with its pod result not visible yet). When its pod
   * cannot start, {@code reason} is Kubernetes' word for why (ErrImagePull, Unschedulable,
   * FailedCreate, ...) and {@code message} says it for the status; {@code unresolvable} when the
   * pod can never start as it is (InvalidImageName).
   */
  record Running(String reason, String message, boolean unresolvable) implements JobOutcome {
    public Running() {
      this(null, null, false);
    }
  }

  /**
   * A Job this rollout created (its UID is recorded) is gone: deleted by a person, a TTL or a
   * GitOps prune.
   */
  record Lost(String message) implements JobOutcome {}

  /**
   * The Job's name is taken by a Job that another (deleted) DatabaseMigration of the same name
   * controls: the operator may not delete it and never trusts it; the stage runs under a new name.
   */
  record NameTaken(String message) implements JobOutcome {}

  /** Completed and the runner reported ok. */
  record Succeeded(RunnerResult result) implements JobOutcome {}

  /**
   * Failed: with the runner's error when it wrote one, and what the Job says (e.g.
   * DeadlineExceeded).
   */
  record Failed(Optional<RunnerResult> result, String jobMessage) implements JobOutcome {
    public String errorCode() {
      return result.map(RunnerResult::errorCode).orElse(null);
    }

    /** The contract's error the runner reported, if it reported one this operator knows. */
    public Optional<RunnerError> runnerError() {
      return result.flatMap(RunnerResult::runnerError);
    }

    /**
     * Whether the runner said it changed nothing and a later attempt may succeed (its transient
     * exit class).
     */
    public boolean isTransient() {
      return runnerError().map(RunnerError::isTransient).orElse(false);
    }

    public boolean is(RunnerError error) {
      return runnerError().orElse(null) == error;
    }

    /** The runner's message, else the Job's. */
    public String message() {
      return result.map(RunnerResult::errorMessage).filter(m -> !m.isBlank()).orElse(jobMessage);
    }

    /**
     * The bare database error of a failed migration ({@code error.cause}), without the runner's
     * account of where the database is: for messages that state that themselves. Empty for runners
     * that do not report it.
     */
    public Optional<String> cause() {
      return result.map(r -> r.error().path("cause").asText(null)).filter(c -> !c.isBlank());
    }

    /** " in revision R" when the runner named the revision that failed, else "". */
    public String inRevision() {
      return result
          .map(r -> r.error().path("revision").asText(null))
          .filter(r -> !r.isBlank())
          .map(r -> " in revision " + r)
          .orElse("");
    }
  }
}
