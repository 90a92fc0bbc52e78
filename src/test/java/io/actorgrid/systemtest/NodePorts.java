package io.actorgrid.systemtest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** The two TCP ports a node binds: HTTP and cluster (Artery). A restarted node keeps its ports. */
record NodePorts(int http, int cluster) {

  /**
   * Two ports that are free on the loopback interface right now.
   *
   * <p>Both sockets stay open until both ports are known, so the two cannot be the same. Another
   * process may still take a port between this check and the node's bind; that rare race shows up
   * as a bind error in the node's log.
   */
  static NodePorts free() throws IOException {
    try (ServerSocket http = bindAnyLoopbackPort();
        ServerSocket cluster = bindAnyLoopbackPort()) {
      return new NodePorts(http.getLocalPort(), cluster.getLocalPort());
    }
  }

  private static ServerSocket bindAnyLoopbackPort() throws IOException {
    ServerSocket socket = new ServerSocket();
    try {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }
}
