package io.kiki.migrations.operator.event;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.operator.database.Redaction;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on a DatabaseMigration: one per stage start, success and failure, with its
 * reason constant.
 */
public class EventRecorder {
  public static final String COMPONENT = "kiki-migrations-operator";
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;
  private final KubernetesClient client;

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  public void record(DatabaseMigration resource, String reason, String message) {
    String type = Reasons.eventType(reason);
    String text = Redaction.redact(message == null ? "" : message);
    if (text.length() > MAX_MESSAGE) {
      text = text.substring(0, MAX_MESSAGE - 3) + "...";
    }
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String suffix =
        HexFormat.of().toHexDigits(System.nanoTime() ^ ThreadLocalRandom.current().nextLong());
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(resource.getMetadata().getName() + "." + suffix)
            .withNamespace(resource.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(resource.getApiVersion())
            .withKind(resource.getKind())
            .withName(resource.getMetadata().getName())
            .withNamespace(resource.getMetadata().getNamespace())
            .withUid(resource.getMetadata().getUid())
            .withResourceVersion(resource.getMetadata().getResourceVersion())
            .endInvolvedObject()
            .withType(type)
            .withReason(reason)
            .withMessage(text)
            .withCount(1)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .build();
    LOG.info(
        "{}/{}: {} {}: {}",
        resource.getMetadata().getNamespace(),
        resource.getMetadata().getName(),
        type,
        reason,
        text);
    try {
      client
          .v1()
          .events()
          .inNamespace(resource.getMetadata().getNamespace())
          .resource(event)
          .create();
    } catch (RuntimeException e) {
      LOG.warn(
          "could not record event {} on {}/{}: {}",
          reason,
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          Redaction.redact(e.getMessage()));
    }
  }
}
