package io.kiki.migrations.operator.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.operator.status.Reasons;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseRefusedExceptionTest {
  private static final JdbcTarget TARGET =
      new JdbcTarget("jdbc:postgresql://db:5432/app", "app", "secret", "db", 5432, "app", Map.of());

  @Test
  void aDriverMessageEndingInAFullStopIsNotGivenASecond() {
    DatabaseUnreachableException refused =
        DatabaseRefusedException.of(
            TARGET, new SQLException("The server does not support SSL.", "08004"), "plan");
    assertThat(refused).isInstanceOf(DatabaseRefusedException.class);
    assertThat(((DatabaseRefusedException) refused).reason())
        .isEqualTo(Reasons.DATABASE_TLS_REFUSED);
    assertThat(refused.getMessage())
        .contains("does not support SSL. Set sslmode")
        .doesNotContain("..");
  }
}
