package io.kiki.migrations.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InProcessOperatorTest {
  @Test
  void theSandboxSaysItsRetriesAreFasterThanProduction() {
    assertThat(InProcessOperator.timingsNote())
        .isEqualTo(
            "the operator runs with short test timings: a Job that "
                + "cannot reach the database is retried after 200ms, doubling up to 2s (production: 2s, doubling up to 5m, set by "
                + "KIKI_RETRY_INITIAL_INTERVAL and KIKI_RETRY_MAX_INTERVAL)");
  }
}
