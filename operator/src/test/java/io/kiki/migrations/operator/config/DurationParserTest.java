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

  @Test
  void formatsInTheLargestWholeUnitAndReadsBack() {
    assertThat(DurationParser.format(Duration.ofMillis(200))).isEqualTo("200ms");
    assertThat(DurationParser.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(DurationParser.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(DurationParser.format(Duration.ofHours(2))).isEqualTo("2h");
    assertThat(DurationParser.format(Duration.ZERO)).isEqualTo("0ms");
    for (Duration d :
        new Duration[] {
          Duration.ofMillis(1500), Duration.ofSeconds(3601), Duration.ofMinutes(90)
        }) {
      assertThat(DurationParser.parse(DurationParser.format(d))).isEqualTo(d);
    }
  }
}
