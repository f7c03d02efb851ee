package io.kiki.migrations.e2e.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario fixtures: YAML files next to the test class (same package in src/test/resources) with
 * {@code ${name}} placeholders filled in per run (namespace, image, revision ids...).
 */
public final class Fixtures {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)}");

  private Fixtures() {}

  public static String text(Class<?> owner, String file, Map<String, String> values) {
    try (InputStream in = owner.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + file + " next to " + owner.getName());
      }
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      Matcher m = PLACEHOLDER.matcher(yaml);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = values.get(m.group(1));
        if (value == null) {
          throw new IllegalArgumentException(
              "fixture " + file + " needs a value for ${" + m.group(1) + "}");
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** All documents of a multi-document fixture, as typed objects where the kind is known. */
  public static List<HasMetadata> resources(
      Class<?> owner, String file, Map<String, String> values) {
    Object parsed = Serialization.unmarshal(text(owner, file, values));
    if (parsed instanceof List<?> list) {
      return list.stream().map(HasMetadata.class::cast).toList();
    }
    return List.of((HasMetadata) parsed);
  }
}
