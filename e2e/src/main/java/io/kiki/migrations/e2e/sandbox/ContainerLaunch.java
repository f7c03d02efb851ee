package io.kiki.migrations.e2e.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A container turned into a local process: command line, environment, directories and where output
 * goes.
 */
public record ContainerLaunch(
    List<String> commandLine,
    Map<String, String> environment,
    Path workingDir,
    Path resultFile,
    Path logFile) {}
