package io.kiki.migrations.e2e.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kiki.migrations.e2e.rbac.ApiAudit;
import io.kiki.migrations.e2e.rbac.ApiRequest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the API server's audit log (JSON lines, {@code audit.k8s.io/v1} Events at level Metadata)
 * of one user into an {@link ApiAudit}: what the operator did, as the real API server saw and
 * authorized it. A request answered 403 is forbidden, anything else was allowed. Call {@link
 * #sync()} before looking at the audit; it reads what was appended since the last call.
 */
public final class AuditLogReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path log;
  private final ApiAudit audit = new ApiAudit();
  private long offset;
  private String partialLine = "";

  public AuditLogReader(Path log) {
    this.log = log;
  }

  /** Reads the new entries and returns the audit with them recorded. */
  public synchronized ApiAudit sync() {
    if (!Files.exists(log)) {
      return audit;
    }
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length();
      if (length <= offset) {
        return audit;
      }
      file.seek(offset);
      byte[] bytes = new byte[(int) (length - offset)];
      file.readFully(bytes);
      offset = length;
      String text = partialLine + new String(bytes, StandardCharsets.UTF_8);
      int lastNewline = text.lastIndexOf('\n');
      partialLine = text.substring(lastNewline + 1);
      for (String line : text.substring(0, lastNewline + 1).split("\n")) {
        if (!line.isBlank()) {
          record(JSON.readTree(line));
        }
      }
      return audit;
    } catch (IOException e) {
      throw new UncheckedIOException("reading the API server's audit log " + log, e);
    }
  }

  private void record(JsonNode event) {
    String stage = event.path("stage").asText();
    if (!stage.equals("ResponseComplete") && !stage.equals("ResponseStarted")) {
      return;
    }
    int code = event.path("responseStatus").path("code").asInt(0);
    String uri = event.path("requestURI").asText();
    String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    JsonNode ref = event.path("objectRef");
    ApiRequest request =
        ref.isMissingNode()
            ? new ApiRequest(event.path("verb").asText(), null, null, null, null, null, path)
            : new ApiRequest(
                event.path("verb").asText(),
                ref.path("apiGroup").asText(""),
                ref.path("resource").asText(),
                text(ref, "subresource"),
                text(ref, "name"),
                text(ref, "namespace"),
                path);
    boolean forbidden = code == 403 && stage.equals("ResponseComplete");
    audit.record(request, !forbidden);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() || value.asText().isEmpty() ? null : value.asText();
  }
}
