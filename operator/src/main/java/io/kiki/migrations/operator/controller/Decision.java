package io.kiki.migrations.operator.controller;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one reconcile step decided besides the status: when to look again, which events to record
 * once the status is written, and whether the next stage runs right after the write (its intent is
 * then recorded, so its Job may start).
 */
final class Decision {
  record Event(String reason, String message) {}

  private Duration requeue;
  private boolean runNextStage;
  private final List<Event> events = new ArrayList<>();

  Decision requeue(Duration after) {
    this.requeue = after;
    return this;
  }

  Decision event(String reason, String message) {
    events.add(new Event(reason, message));
    return this;
  }

  /**
   * The status names the next stage (and its Job): run it in this reconcile, as soon as that status
   * is written.
   */
  Decision runNextStage() {
    this.runNextStage = true;
    return this;
  }

  /**
   * This decision's events, then {@code next}'s, with {@code next}'s requeue and next stage: two
   * stages decided in one reconcile.
   */
  Decision then(Decision next) {
    events.addAll(next.events);
    requeue = next.requeue;
    runNextStage = next.runNextStage;
    return this;
  }

  Duration requeue() {
    return requeue;
  }

  boolean runsNextStage() {
    return runNextStage;
  }

  List<Event> events() {
    return events;
  }
}
