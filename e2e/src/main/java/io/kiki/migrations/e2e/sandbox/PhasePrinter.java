package io.kiki.migrations.e2e.sandbox;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prints each DatabaseMigration's phase transitions as they happen: {@code 05:31:02
 * kiki/kiki-campaigns Planning -> BackingUp (base -> 9d0e1f2a0010)}.
 */
public final class PhasePrinter implements AutoCloseable {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final int MESSAGE_LIMIT = 200;
  private final PrintStream out;
  private final Map<String, Phase> lastPhase = new ConcurrentHashMap<>();
  private final SharedIndexInformer<DatabaseMigration> informer;

  public PhasePrinter(KubernetesClient client, PrintStream out) {
    this.out = out;
    this.informer =
        client
            .resources(DatabaseMigration.class)
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(DatabaseMigration dbm) {
                    print(dbm);
                  }

                  @Override
                  public void onUpdate(DatabaseMigration oldDbm, DatabaseMigration dbm) {
                    print(dbm);
                  }

                  @Override
                  public void onDelete(DatabaseMigration dbm, boolean deletedFinalStateUnknown) {
                    lastPhase.remove(key(dbm));
                  }
                },
                0);
  }

  private synchronized void print(DatabaseMigration dbm) {
    if (dbm.getStatus() == null || dbm.getStatus().getPhase() == null) {
      return;
    }
    Phase phase = dbm.getStatus().getPhase();
    Phase previous = lastPhase.put(key(dbm), phase);
    if (previous == phase) {
      return;
    }
    StringBuilder line =
        new StringBuilder()
            .append(LocalTime.now().format(TIME))
            .append("  ")
            .append(key(dbm))
            .append("  ")
            .append(previous == null ? "(new)" : previous)
            .append(" -> ")
            .append(phase);
    var rollout = dbm.getStatus().getRollout();
    if (phase.isRolloutActive() && rollout != null && rollout.getTo() != null) {
      line.append("  (")
          .append(rollout.getFrom() == null ? "base" : rollout.getFrom())
          .append(" -> ")
          .append(rollout.getTo())
          .append(')');
    }
    if (phase.isTerminal()) {
      line.append("  current=").append(dbm.getStatus().getCurrentRevision());
    }
    String message = dbm.getStatus().getMessage();
    if (message != null && !message.isBlank() && (phase.isTerminal() || phase == Phase.Waiting)) {
      line.append("  ")
          .append(
              message.length() > MESSAGE_LIMIT
                  ? message.substring(0, MESSAGE_LIMIT) + "..."
                  : message);
    }
    out.println(line);
    out.flush();
  }

  /**
   * Whether the resource's current phase has been printed (the watch may lag behind a fresh read).
   */
  public boolean printed(DatabaseMigration dbm) {
    return dbm.getStatus() != null
        && dbm.getStatus().getPhase() != null
        && dbm.getStatus().getPhase() == lastPhase.get(key(dbm));
  }

  private static String key(DatabaseMigration dbm) {
    return dbm.getMetadata().getNamespace() + "/" + dbm.getMetadata().getName();
  }

  @Override
  public void close() {
    informer.close();
  }
}
