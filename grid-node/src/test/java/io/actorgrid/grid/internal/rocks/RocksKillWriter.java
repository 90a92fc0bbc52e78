package io.actorgrid.grid.internal.rocks;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The child process of {@link RocksKillTest}: ACTORS persistent actors that persist events one
 * after another as fast as the journal acknowledges them, through the RocksDB plugins with their
 * shipped durability (process). Each acknowledged event is printed as {@code ACK <id> <seq>} only
 * after Pekko has confirmed it, so every printed line is a write the journal promised to keep. Runs
 * until it is killed (or for 10 minutes, should its test have gone away).
 *
 * <pre>java -cp ... io.actorgrid.grid.internal.rocks.RocksKillWriter DIR ACTORS</pre>
 */
public final class RocksKillWriter {
  private RocksKillWriter() {}

  private static final PrintStream OUT =
      new PrintStream(new FileOutputStream(FileDescriptor.out), true);

  enum Next {
    INSTANCE
  }

  /** Persists "id-n" events; its state is the number persisted so far, its sequence number. */
  static final class Writer extends EventSourcedBehavior<Next, String, Long> {
    private final ActorRef<Next> self;

    Writer(String id, ActorRef<Next> self) {
      super(PersistenceId.ofUniqueId(id));
      this.self = self;
    }

    @Override
    public Long emptyState() {
      return 0L;
    }

    @Override
    public CommandHandler<Next, String, Long> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Next.class,
              (state, next) ->
                  Effect()
                      .persist(persistenceId().id() + "-" + (state + 1))
                      .thenRun(
                          (Long persisted) -> {
                            OUT.println("ACK " + persistenceId().id() + " " + persisted);
                            self.tell(Next.INSTANCE);
                          }))
          .build();
    }

    @Override
    public EventHandler<Long, String> eventHandler() {
      return (state, event) -> state + 1;
    }
  }

  static Behavior<Next> writer(String id) {
    return Behaviors.setup(
        ctx -> {
          ctx.getSelf().tell(Next.INSTANCE);
          return new Writer(id, ctx.getSelf());
        });
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int actors = Integer.parseInt(args[1]);
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.setup(
                ctx -> {
                  for (int i = 0; i < actors; i++) {
                    ctx.spawn(writer("kill-" + i), "writer-" + i);
                  }
                  return Behaviors.empty();
                }),
            "kill",
            RocksTesting.config(dir, ""));
    OUT.println("STARTED");
    Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    system.terminate();
  }
}
