package io.kiki.migrations.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The measurements of one quantity over the runs, in seconds: printed as min / median / max. */
public final class Samples {
  private final List<Double> seconds = new ArrayList<>();

  public void add(double value) {
    seconds.add(value);
  }

  public void addNanos(long nanos) {
    seconds.add(nanos / 1e9);
  }

  public int size() {
    return seconds.size();
  }

  public double min() {
    return Collections.min(seconds);
  }

  public double max() {
    return Collections.max(seconds);
  }

  public double median() {
    List<Double> sorted = new ArrayList<>(seconds);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  @Override
  public String toString() {
    return String.format(
        "min %7.3f s  median %7.3f s  max %7.3f s  (%d runs)", min(), median(), max(), size());
  }
}
