package io.kiki.migrations.operator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.operator.job.RunnerError.ExitClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Java side of the runner contract against the runner's own declaration, {@code
 * kiki_migrate/errors.py}: the same exit classes with the same exit codes, the same error codes,
 * each in the same class. Read as text (its {@code EXIT_* = n} constants and the {@code EXIT_CODES}
 * dict), so no Python is needed.
 */
class RunnerErrorTest {
  static final Path ERRORS_PY =
      Path.of(System.getProperty("basedir", "."))
          .resolve("../migrations-image/kiki_migrate/errors.py")
          .normalize();
  private static final Pattern EXIT_CONSTANT =
      Pattern.compile("(?m)^EXIT_([A-Z_]+)\\s*=\\s*(\\d+)\\b");
  private static final Pattern EXIT_CODES_DICT =
      Pattern.compile("(?s)^EXIT_CODES\\s*=\\s*\\{(.*?)^}", Pattern.MULTILINE);
  private static final Pattern DICT_ENTRY =
      Pattern.compile("\"([A-Z_]+)\"\\s*:\\s*EXIT_([A-Z_]+)\\s*,?");

  @Test
  void exitClassesAreTheRunners() throws IOException {
    Map<String, Integer> python = new LinkedHashMap<>();
    Matcher m = EXIT_CONSTANT.matcher(Files.readString(ERRORS_PY));
    while (m.find()) {
      python.put(m.group(1), Integer.parseInt(m.group(2)));
    }
    Map<String, Integer> java =
        Arrays.stream(ExitClass.values())
            .collect(
                Collectors.toMap(Enum::name, ExitClass::exitCode, (a, b) -> a, LinkedHashMap::new));
    assertThat(python)
        .as("EXIT_* in " + ERRORS_PY + " (RunnerError.ExitClass must match)")
        .isNotEmpty()
        .containsExactlyInAnyOrderEntriesOf(java);
  }

  @Test
  void errorCodesAndTheirClassesAreTheRunners() throws IOException {
    Matcher dict = EXIT_CODES_DICT.matcher(Files.readString(ERRORS_PY));
    assertThat(dict.find()).as("EXIT_CODES = {...} in " + ERRORS_PY).isTrue();
    Map<String, String> python = new LinkedHashMap<>();
    Matcher entry = DICT_ENTRY.matcher(dict.group(1));
    while (entry.find()) {
      python.put(entry.group(1), entry.group(2));
    }
    assertThat(
            dict.group(1).replaceAll("(?m)#.*$", "").replaceAll(DICT_ENTRY.pattern(), "").strip())
        .as("every entry of EXIT_CODES is \"CODE\": EXIT_CLASS")
        .isEmpty();
    Map<String, String> java =
        Arrays.stream(RunnerError.values())
            .collect(
                Collectors.toMap(
                    Enum::name, e -> e.exitClass().name(), (a, b) -> a, LinkedHashMap::new));
    assertThat(python)
        .as("EXIT_CODES in " + ERRORS_PY + " (RunnerError must match)")
        .isNotEmpty()
        .containsExactlyInAnyOrderEntriesOf(java);
  }

  @Test
  void onlyTheTransientClassIsRetried() {
    assertThat(Arrays.stream(RunnerError.values()).filter(RunnerError::isTransient))
        .containsExactlyInAnyOrder(RunnerError.DATABASE_UNREACHABLE, RunnerError.LOCK_TIMEOUT);
  }

  @Test
  void readsTheCodeOfAResultAndNotAnUnknownOne() {
    assertThat(RunnerError.of("LOCK_TIMEOUT")).contains(RunnerError.LOCK_TIMEOUT);
    assertThat(RunnerError.of("A_CODE_OF_A_NEWER_RUNNER")).isEmpty();
    assertThat(RunnerError.of(null)).isEmpty();
  }
}
