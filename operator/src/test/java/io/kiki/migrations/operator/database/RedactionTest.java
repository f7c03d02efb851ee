package io.kiki.migrations.operator.database;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void masksThePasswordOfUrls() {
    assertThat(
            Redaction.redact(
                "could not connect to postgresql+psycopg2://kiki:s3cret@db:5432/kiki?sslmode=require"))
        .isEqualTo(
            "could not connect to postgresql+psycopg2://kiki:***@db:5432/kiki?sslmode=require");
    assertThat(Redaction.redact("postgresql://kiki:pa@ss@db/kiki"))
        .isEqualTo("postgresql://kiki:***@db/kiki");
  }

  @Test
  void masksPasswordParameters() {
    assertThat(Redaction.redact("postgresql://db/kiki?user=kiki&password=s3cret&sslmode=disable"))
        .isEqualTo("postgresql://db/kiki?user=kiki&password=***&sslmode=disable");
    assertThat(Redaction.redact("FATAL: password=hunter2 rejected"))
        .isEqualTo("FATAL: password=*** rejected");
  }

  @Test
  void leavesOtherTextAloneAndMasksAKnownSecret() {
    assertThat(Redaction.redact("database at c3, 2 steps")).isEqualTo("database at c3, 2 steps");
    assertThat(Redaction.redact("postgresql://kiki@db/kiki"))
        .isEqualTo("postgresql://kiki@db/kiki");
    assertThat(Redaction.redact("auth failed for 'hunter2'", "hunter2"))
        .isEqualTo("auth failed for '***'");
    assertThat(Redaction.redact(null)).isNull();
  }
}
