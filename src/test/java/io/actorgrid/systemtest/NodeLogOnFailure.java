package io.actorgrid.systemtest;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Appends the tail of the node's log to the message of any failure in a test or in its setup, so
 * that a CI report alone shows what the node was doing. Register it with {@code @RegisterExtension}
 * and {@link #forNode} with a supplier of the test's node (null before it starts), or {@link
 * #forNodes} with a supplier of a cluster's nodes, whose logs are quoted one after the other.
 */
final class NodeLogOnFailure
    implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

  private final Supplier<List<NodeProcess>> nodes;

  private NodeLogOnFailure(Supplier<List<NodeProcess>> nodes) {
    this.nodes = nodes;
  }

  /** Quotes the log tail of the node {@code node} returns (null before it starts). */
  static NodeLogOnFailure forNode(Supplier<NodeProcess> node) {
    return new NodeLogOnFailure(
        () -> {
          NodeProcess current = node.get();
          return current == null ? List.of() : List.of(current);
        });
  }

  /** Quotes the log tail of every node {@code nodes} returns (an empty list before they start). */
  static NodeLogOnFailure forNodes(Supplier<List<NodeProcess>> nodes) {
    return new NodeLogOnFailure(nodes);
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
    List<NodeProcess> current = nodes.get();
    if (current.isEmpty()
        || failure instanceof TestAbortedException
        || String.valueOf(failure.getMessage()).contains(NodeProcess.LOG_TAIL_HEADER)) {
      return failure;
    }
    StringBuilder logs = new StringBuilder();
    current.forEach(node -> logs.append(node.logTailForMessage()));
    // Takes over the original's type name, stack trace and cause rather than wrapping it, which
    // would print a long message (such as a list of lost writes) twice.
    AssertionError withLog = new AssertionError(failure + logs.toString());
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
