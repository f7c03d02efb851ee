package io.kiki.migrations.operator.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The table of database URLs the runner's tests read as well ({@code
 * migrations-image/tests/fixtures/database-urls.json}, {@code test_runner_urls.py}): the operator
 * reads every URL the runner reads to the same user, password, host, port and database, and refuses
 * every URL the runner refuses, saying to URL-encode, without the password.
 */
class SqlAlchemyUrlSharedCasesTest {
  static final Path CASES =
      Path.of(System.getProperty("basedir", "."))
          .resolve("../migrations-image/tests/fixtures/database-urls.json")
          .normalize();

  static Stream<JsonNode> readable() throws IOException {
    return cases().stream().filter(c -> !c.path("refused").asBoolean());
  }

  static Stream<JsonNode> refused() throws IOException {
    return cases().stream().filter(c -> c.path("refused").asBoolean());
  }

  static Stream<JsonNode> encoded() throws IOException {
    List<JsonNode> encoded = new ArrayList<>();
    table().path("encoded").forEach(encoded::add);
    assertThat(encoded).as("encoded passwords in " + CASES).isNotEmpty();
    return encoded.stream();
  }

  private static JsonNode table() throws IOException {
    return new ObjectMapper().readTree(CASES.toFile());
  }

  private static List<JsonNode> cases() throws IOException {
    List<JsonNode> cases = new ArrayList<>();
    table().path("cases").forEach(cases::add);
    assertThat(cases).as("cases in " + CASES).hasSizeGreaterThan(10);
    return cases;
  }

  @ParameterizedTest
  @MethodSource("readable")
  void readsTheUrlAsTheRunnerDoes(JsonNode c) throws Exception {
    JdbcTarget target = SqlAlchemyUrl.toJdbc(c.path("url").asText());
    assertThat(target)
        .extracting(
            JdbcTarget::user,
            JdbcTarget::password,
            JdbcTarget::host,
            JdbcTarget::port,
            JdbcTarget::database)
        .containsExactly(
            c.path("user").asText(),
            c.path("password").asText(),
            c.path("host").asText(),
            c.path("port").asInt(),
            c.path("database").asText());
    assertThat(target.jdbcUrl()).doesNotContain(c.path("password").asText());
  }

  /**
   * The advice's Java recipe writes the table's form, and the operator reads both recipes' forms to
   * the password.
   */
  @ParameterizedTest
  @MethodSource("encoded")
  void followingTheAdviceGivesAUrlThatReadsBackToThePassword(JsonNode e) throws Exception {
    String password = e.path("password").asText();
    assertThat(URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20"))
        .isEqualTo(e.path("java").asText());
    for (String form : List.of(e.path("python").asText(), e.path("java").asText())) {
      assertThat(
              SqlAlchemyUrl.toJdbc("postgresql://kiki:" + form + "@127.0.0.1:5432/kiki").password())
          .isEqualTo(password);
    }
  }

  @ParameterizedTest
  @MethodSource("refused")
  void refusesTheUrlAsTheRunnerDoes(JsonNode c) throws IOException {
    String password = c.path("password").asText();
    assertThatThrownBy(() -> SqlAlchemyUrl.toJdbc(c.path("url").asText()))
        .isInstanceOf(InvalidDatabaseUrlException.class)
        .hasMessageContaining(table().path("advice").asText())
        .hasMessageContaining(c.path("encode").asText())
        .hasMessageNotContaining(password)
        .hasMessageNotContaining(URLEncoder.encode(password, StandardCharsets.UTF_8));
  }
}
