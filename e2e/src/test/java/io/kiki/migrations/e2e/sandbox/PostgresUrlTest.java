package io.kiki.migrations.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The sandbox writes and reads a Secret's URL as the operator and the runner do: a space is %20, a
 * '+' is a '+'.
 */
class PostgresUrlTest {

  @Test
  void aPasswordWithASpaceAndAPlusSurvivesTheSecretsUrl() {
    PostgresUrl url = new PostgresUrl("kiki", "p@ss w+rd", "127.0.0.1", 5432, "kiki");

    assertThat(url.sqlalchemyUrl())
        .isEqualTo("postgresql://kiki:p%40ss%20w%2Brd@127.0.0.1:5432/kiki");
    assertThat(PostgresUrl.parse(url.sqlalchemyUrl())).isEqualTo(url);
    assertThat(PostgresUrl.parse("postgresql://kiki:x+y@127.0.0.1:5432/kiki").password())
        .isEqualTo("x+y");
  }
}
