package io.kiki.migrations.operator.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlAlchemyUrlTest {

  @Test
  void plainPostgresqlUrl() throws Exception {
    JdbcTarget target =
        SqlAlchemyUrl.toJdbc("postgresql://kiki:s3cret@db.example.com:5433/campaigns");
    assertThat(target.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:5433/campaigns");
    assertThat(target.user()).isEqualTo("kiki");
    assertThat(target.password()).isEqualTo("s3cret");
    assertThat(target.identity()).hasToString("db.example.com:5433/campaigns");
  }

  @Test
  void driverSuffixDefaultPortAndQueryParameters() throws Exception {
    JdbcTarget target =
        SqlAlchemyUrl.toJdbc(
            "postgresql+psycopg2://kiki:pw@DB.example.com/campaigns?sslmode=require&connect_timeout=5&application_name=kiki");
    assertThat(target.port()).isEqualTo(5432);
    assertThat(target.jdbcUrl())
        .isEqualTo(
            "jdbc:postgresql://DB.example.com:5432/campaigns?sslmode=require&connectTimeout=5&ApplicationName=kiki");
    assertThat(target.identity()).hasToString("db.example.com:5432/campaigns");
  }

  @Test
  void percentEncodedCredentialsAreDecodedAndKeptOutOfTheJdbcUrl() throws Exception {
    JdbcTarget target =
        SqlAlchemyUrl.toJdbc("postgres://app%40corp:p%40ss%2Fw+rd@10.0.0.5:5432/kiki");
    assertThat(target.user()).isEqualTo("app@corp");
    assertThat(target.password()).isEqualTo("p@ss/w+rd");
    assertThat(target.jdbcUrl()).doesNotContain("p@ss").doesNotContain("app");
    assertThat(target.toString()).doesNotContain("p@ss");
  }

  @Test
  void unencodedAtInPasswordIsRefusedAsTheRunnerRefusesIt() {
    // SQLAlchemy reads this as password "pa" on host "ss@db": no reading both sides share, so both
    // refuse it
    assertThatThrownBy(() -> SqlAlchemyUrl.toJdbc("postgresql://kiki:pa@ss@db:5432/kiki"))
        .isInstanceOf(InvalidDatabaseUrlException.class)
        .hasMessageContaining("URL-encode the password")
        .hasMessageContaining("%40")
        .hasMessageNotContaining("pa@ss")
        .hasMessageNotContaining("ss@db");
  }

  @Test
  void ipv6Host() throws Exception {
    JdbcTarget target = SqlAlchemyUrl.toJdbc("postgresql://kiki:pw@[::1]:6543/kiki");
    assertThat(target.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:6543/kiki");
    assertThat(target.identity()).hasToString("[::1]:6543/kiki");
  }

  @Test
  void userAndPasswordAsQueryParameters() throws Exception {
    JdbcTarget target =
        SqlAlchemyUrl.toJdbc("postgresql://db/kiki?user=kiki&password=pw&sslmode=disable");
    assertThat(target.user()).isEqualTo("kiki");
    assertThat(target.password()).isEqualTo("pw");
    assertThat(target.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/kiki?sslmode=disable");
  }

  @Test
  void errorsSayWhatIsWrongWithoutThePassword() {
    assertThatThrownBy(() -> SqlAlchemyUrl.toJdbc("sqlite:///./kiki_campaigns.db"))
        .isInstanceOf(InvalidDatabaseUrlException.class)
        .hasMessageContaining("PostgreSQL only");
    assertThatThrownBy(() -> SqlAlchemyUrl.toJdbc("postgresql://kiki:topsecret@db:54x2/kiki"))
        .hasMessageContaining("port '54x2'")
        .hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> SqlAlchemyUrl.toJdbc("postgresql://kiki:topsecret@db:5432"))
        .hasMessageContaining("names no database")
        .hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> SqlAlchemyUrl.toJdbc("postgresql://kiki:topsecret@/kiki"))
        .hasMessageContaining("has no host")
        .hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> SqlAlchemyUrl.toJdbc("not a url at all"))
        .hasMessageContaining("is not a URL");
    assertThatThrownBy(() -> SqlAlchemyUrl.toJdbc("  ")).hasMessageContaining("empty");
    assertThatThrownBy(() -> SqlAlchemyUrl.toJdbc("postgresql://kiki:topsecret@db/kiki?sslmode"))
        .hasMessageContaining("sslmode")
        .hasMessageNotContaining("topsecret");
  }
}
