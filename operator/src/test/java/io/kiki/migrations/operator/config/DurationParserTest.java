package io.kiki.migrations.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationParserTest {

  @Test
  void parsesTheSpecSyntax() {
    assertThat(DurationParser.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationParser.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(DurationParser.parse("200ms")).isEqualTo(Duration.ofMillis(200));
    assertThat(DurationParser.parse("2m10s")).isEqualTo(Duration.ofSeconds(130));
    assertThatThrownBy(() -> DurationParser.parse("5 minutes")).hasMessageContaining("'5 minutes'");
    assertThat(DurationParser.isValid("10x")).isFalse();
  }
}
