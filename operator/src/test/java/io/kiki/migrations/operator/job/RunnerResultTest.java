package io.kiki.migrations.operator.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunnerResultTest {

  @Test
  void readsTheResultObject() {
    RunnerResult result =
        RunnerResult.parse(
                "{\"ok\":true,\"command\":\"backup\",\"file\":\"k.dump\",\"sizeBytes\":12,"
                    + "\"verified\":true,\"removed\":[\"a\",\"b\"]}")
            .orElseThrow();
    assertThat(result.ok()).isTrue();
    assertThat(result.command()).isEqualTo("backup");
    assertThat(result.text("file")).isEqualTo("k.dump");
    assertThat(result.number("sizeBytes")).isEqualTo(12L);
    assertThat(result.bool("verified")).isTrue();
    assertThat(result.list("removed")).containsExactly("a", "b");
  }

  @Test
  void findsTheLastJsonLineInLogsAndReadsErrors() {
    String logs =
        "INFO plan: upgrade\n{\"not\":\"it\"}\nWARNING something\n"
            + "{\"ok\":false,\"command\":\"plan\",\"error\":{\"code\":\"MULTIPLE_HEADS\",\"message\":\"merge heads\"}}\n";
    RunnerResult result = RunnerResult.parse(logs).orElseThrow();
    assertThat(result.ok()).isFalse();
    assertThat(result.errorCode()).isEqualTo("MULTIPLE_HEADS");
    assertThat(result.errorMessage()).isEqualTo("merge heads");
  }

  @Test
  void noResultInGarbage() {
    assertThat(RunnerResult.parse("Traceback (most recent call last):\n  boom")).isEmpty();
    assertThat(RunnerResult.parse(null)).isEmpty();
    assertThat(RunnerResult.parse("{broken json")).isEmpty();
  }
}
