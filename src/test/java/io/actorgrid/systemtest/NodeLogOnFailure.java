package io.actorgrid.systemtest;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Appends the tail of the node's log to the message of any failure in a test or in its setup, so
 * that a CI report alone shows what the node was doing. Register it with {@code @RegisterExtension}
 * and a supplier of the test's node (null before it starts).
 */
final class NodeLogOnFailure
    implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

  private final Supplier<NodeProcess> node;

  NodeLogOnFailure(Supplier<NodeProcess> node) {
    this.node = node;
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withNodeLog(failure);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withNodeLog(failure);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withNodeLog(failure);
  }

  private Throwable withNodeLog(Throwable failure) {
    NodeProcess current = node.get();
    if (current == null
        || failure instanceof TestAbortedException
        || String.valueOf(failure.getMessage()).contains(NodeProcess.LOG_TAIL_HEADER)) {
      return failure;
    }
    // Takes over the original's type name, stack trace and cause rather than wrapping it, which
    // would print a long message (such as a list of lost writes) twice.
    AssertionError withLog = new AssertionError(failure + current.logTailForMessage());
    withLog.setStackTrace(failure.getStackTrace());
    if (failure.getCause() != null) {
      withLog.initCause(failure.getCause());
    }
    for (Throwable suppressed : failure.getSuppressed()) {
      withLog.addSuppressed(suppressed);
    }
    return withLog;
  }
}
