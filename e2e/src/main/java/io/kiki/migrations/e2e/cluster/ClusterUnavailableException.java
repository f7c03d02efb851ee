package io.kiki.migrations.e2e.cluster;

/**
 * The selected cluster cannot run on this machine (e.g. Docker is not available); the message says
 * why.
 */
public final class ClusterUnavailableException extends Exception {

  public ClusterUnavailableException(String message) {
    super(message);
  }

  public ClusterUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
