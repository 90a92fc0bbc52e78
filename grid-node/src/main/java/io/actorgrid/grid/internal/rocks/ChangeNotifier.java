package io.actorgrid.grid.internal.rocks;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells live queries that events of a persistence id were committed. The writer calls {@link
 * #changed} after each commit on its own thread, so a listener must only hand the news on (for
 * example complete a future whose continuation runs elsewhere).
 *
 * <p>A query registers before it reads and unregisters when it stops waiting: a commit between its
 * read and its wait then still reaches it, and nothing piles up for ids that are not written.
 */
final class ChangeNotifier {
  private final ConcurrentHashMap<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();

  void listen(String persistenceId, Runnable listener) {
    listeners.computeIfAbsent(persistenceId, id -> ConcurrentHashMap.newKeySet()).add(listener);
  }

  void unlisten(String persistenceId, Runnable listener) {
    listeners.computeIfPresent(
        persistenceId,
        (id, set) -> {
          set.remove(listener);
          return set.isEmpty() ? null : set;
        });
  }

  void changed(String persistenceId) {
    Set<Runnable> set = listeners.get(persistenceId);
    if (set != null) {
      set.forEach(Runnable::run);
    }
  }
}
