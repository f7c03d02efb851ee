package io.kiki.migrations.e2e.sandbox;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Keeps the log lines written in this JVM (the in-process operator's, the client's, the kubelet's)
 * so a scenario can check that no secret appears in any of them; the newest {@value #CAPACITY}
 * lines are kept.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> {

  static final int CAPACITY = 200_000;
  private final Deque<String> lines = new ArrayDeque<>();

  public static LogCapture attach() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogCapture capture = new LogCapture();
    capture.setContext(context);
    capture.setName("kiki-e2e-capture");
    capture.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
    return capture;
  }

  public void detach() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(this);
    stop();
  }

  public synchronized List<String> lines() {
    return new ArrayList<>(lines);
  }

  @Override
  protected synchronized void append(ILoggingEvent event) {
    String line =
        event.getLevel() + " " + event.getLoggerName() + " - " + event.getFormattedMessage();
    if (event.getThrowableProxy() != null) {
      line += "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
    }
    lines.addLast(line);
    while (lines.size() > CAPACITY) {
      lines.removeFirst();
    }
  }
}
