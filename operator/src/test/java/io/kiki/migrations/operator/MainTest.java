package io.kiki.migrations.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The operator jar is also a library: its logging configuration must not be picked up by embedders.
 */
class MainTest {

  @Test
  void loggingConfigurationIsNotNamedLogbackXml() {
    assertThat(Main.class.getResource("/logback.xml"))
        .as("logback.xml in the operator jar")
        .isNull();
    assertThat(Main.class.getClassLoader().getResource(Main.LOGGING_CONFIG)).isNotNull();
  }
}
