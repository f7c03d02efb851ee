package io.kiki.migrations.operator.job;

import java.util.Optional;

/** What became of a stage's Job. */
public sealed interface JobOutcome {
  /**
   * Created now, or still running (or finished, with its pod result not visible yet). {@code podProblem}, when not
   * null, says why its pod cannot start (e.g. {@code ErrImagePull: ...}): the Job only fails at its deadline.
   */
  record Running(String podProblem) implements JobOutcome {
    public Running() {
      this(null);
    }
  }

  /** Completed and the runner reported ok. */
  record Succeeded(RunnerResult result) implements JobOutcome {
  }

  /** Failed: with the runner's error when it wrote one, and what the Job says (e.g. DeadlineExceeded). */
  record Failed(Optional<RunnerResult> result, String jobMessage) implements JobOutcome {
    public String errorCode() {
      return result.map(RunnerResult::errorCode).orElse(null);
    }

    /** The runner's message, else the Job's. */
    public String message() {
      return result.map(RunnerResult::errorMessage).filter(m -> !m.isBlank()).orElse(jobMessage);
    }

    /**
     * The bare database error of a failed migration ({@code error.cause}), without the runner's account of where
     * the database is: for messages that state that themselves. Empty for runners that do not report it.
     */
    public Optional<String> cause() {
      return result.map(r -> r.error().path("cause").asText(null)).filter(c -> !c.isBlank());
    }

    /** " in revision R" when the runner named the revision that failed, else "". */
    public String inRevision() {
      return result.map(r -> r.error().path("revision").asText(null)).filter(r -> !r.isBlank())
          .map(r -> " in revision " + r).orElse("");
    }
  }
}
