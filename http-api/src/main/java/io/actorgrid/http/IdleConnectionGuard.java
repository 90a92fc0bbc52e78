package io.actorgrid.http;

import java.time.Duration;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/*
 * Closes a connection that has no request in progress and does not complete the head of its next
 * request within a timeout, counted from the connection's opening or from its previous response.
 * Pekko HTTP has no such timeout: its idle-timeout counts only time without any byte, so a client
 * that sends a header one byte every few seconds (slowloris) holds a connection for as long as it
 * likes, and enough of them hold every connection the server accepts.
 *
 * It sits between Pekko's HTTP layer and the routes, one instance per connection: the layer hands
 * on a request only once its head has been parsed, so "no request within the timeout" covers both
 * an idle keep-alive connection and a head that arrives too slowly. Ending the stage ends the
 * routes' response stream, and the HTTP layer then closes the connection. While a request is in
 * progress the timer is off; its body has actorgrid.http.body-read-timeout and the connection
 * pekko.http.server.idle-timeout.
 */
final class IdleConnectionGuard
    extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
  private static final String TIMER = "idle";

  private final Duration timeout;
  private final Inlet<HttpRequest> fromClient = Inlet.create("IdleConnectionGuard.fromClient");
  private final Outlet<HttpRequest> toRoutes = Outlet.create("IdleConnectionGuard.toRoutes");
  private final Inlet<HttpResponse> fromRoutes = Inlet.create("IdleConnectionGuard.fromRoutes");
  private final Outlet<HttpResponse> toClient = Outlet.create("IdleConnectionGuard.toClient");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      BidiShape.of(fromClient, toRoutes, fromRoutes, toClient);

  IdleConnectionGuard(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      private int inProgress;

      @Override
      public void preStart() {
        scheduleOnce(TIMER, timeout);
      }

      {
        setHandler(
            fromClient,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                inProgress++;
                cancelTimer(TIMER);
                push(toRoutes, grab(fromClient));
              }

              @Override
              public void onUpstreamFinish() {
                complete(toRoutes);
              }
            });
        setHandler(
            toRoutes,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(fromClient);
              }

              @Override
              public void onDownstreamFinish(Throwable cause) {
                cancel(fromClient, cause);
              }
            });
        setHandler(
            fromRoutes,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                inProgress--;
                if (inProgress == 0) {
                  scheduleOnce(TIMER, timeout);
                }
                push(toClient, grab(fromRoutes));
              }

              @Override
              public void onUpstreamFinish() {
                complete(toClient);
              }
            });
        setHandler(
            toClient,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(fromRoutes);
              }

              @Override
              public void onDownstreamFinish(Throwable cause) {
                cancel(fromRoutes, cause);
              }
            });
      }

      @Override
      public void onTimer(Object key) {
        completeStage();
      }
    };
  }
}
