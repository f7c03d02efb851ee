package io.kiki.migrations.benchmarks;

import java.util.List;

/**
 * One figure of the benchmark: a quantity measured over several runs next to its baseline, measured
 * in the same run on the same machine (so the ratio holds while the machine is busy, the seconds do
 * not). One class per figure; {@link BenchmarkMain#FIGURES} lists them.
 */
public interface Figure {

  /** Short name to pick it with {@code -Dbenchmark.figures=NAME,...}. */
  String name();

  /** What is measured and against what, in a line. */
  String title();

  /** The goal, as the issue that asked for the figure states it. */
  String goal();

  /** Measures {@code bench.runs()} times; one {@link Line} per variant. */
  List<Line> measure(Bench bench) throws Exception;

  /** A variant's measurement next to its baseline's. */
  record Line(String subject, Samples measured, String baseline, Samples baselineSamples) {
    double ratio() {
      return measured.median() / baselineSamples.median();
    }

    double ratioOfMinimums() {
      return measured.min() / baselineSamples.min();
    }
  }
}
