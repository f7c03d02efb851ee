package io.kiki.migrations.operator.health;

/** One check's result in one round. */
public record CheckResult(String name, boolean passed, String message) {
  public static CheckResult pass(String name) {
    return new CheckResult(name, true, "ok");
  }

  public static CheckResult fail(String name, String message) {
    return new CheckResult(name, false, message);
  }
}
