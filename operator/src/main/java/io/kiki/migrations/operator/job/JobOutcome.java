package io.kiki.migrations.operator.job;

import java.util.Optional;

/** What became of a stage's Job. */
public sealed interface JobOutcome {
  /** Created now, or still running (or finished, with its pod result not visible yet). */
  record Running() implements JobOutcome {
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
  }
}
