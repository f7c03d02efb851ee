package io.kiki.migrations.benchmarks;

/**
 * Does nothing: started as a process, it is the floor under every Java program's start-up (JVM
 * start and exit).
 */
public final class JvmBaseline {
  private JvmBaseline() {}

  public static void main(String[] args) {
    // nothing: the time to get here and back is the baseline
  }
}
