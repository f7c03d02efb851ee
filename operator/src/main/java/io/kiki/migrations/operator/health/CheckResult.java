package io.kiki.migrations.operator.health;

/**
 * One check's result in one round. A check that could not run (the database or the endpoint could
 * not be reached) is {@link Outcome#UNKNOWN}, not failing: an outage says nothing about the
 * migration. A check that can never be evaluated as written (SQL that does not parse, or that tries
 * to write) is {@link Outcome#INVALID}: a spec error.
 */
public record CheckResult(String name, Outcome outcome, String message) {
  public enum Outcome {
    PASSED,
    FAILED,
    UNKNOWN,
    INVALID
  }

  public static CheckResult pass(String name) {
    return new CheckResult(name, Outcome.PASSED, "ok");
  }

  public static CheckResult fail(String name, String message) {
    return new CheckResult(name, Outcome.FAILED, message);
  }

  public static CheckResult unknown(String name, String message) {
    return new CheckResult(name, Outcome.UNKNOWN, message);
  }

  public static CheckResult invalid(String name, String message) {
    return new CheckResult(name, Outcome.INVALID, message);
  }

  public boolean passed() {
    return outcome == Outcome.PASSED;
  }

  public boolean failed() {
    return outcome == Outcome.FAILED;
  }
}
