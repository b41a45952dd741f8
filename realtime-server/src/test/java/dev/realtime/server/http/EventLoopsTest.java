package dev.realtime.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * An event loop kept busy with tasks still serves its sockets: a request waits for at most a few
 * rounds of tasks, not Netty's default second.
 */
class EventLoopsTest {

  @Test
  void aLoopBusyWithTasksStillAnswersItsSocketsPromptly() throws Exception {
    long[] plain =
        roundTripsMillis(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()), 2);
    long[] ours = roundTripsMillis(new EventLoops(1, NioIoHandler.newFactory()), 10);
    System.out.printf(
        "EventLoopsTest: slowest round trip under busy tasks: Netty's default %d ms, ours %d ms%n",
        plain[1], ours[1]);
    assertThat(ours[1]).as("the slowest round trip on our loops, ms").isLessThan(400);
  }

  /**
   * The median and the slowest of {@code trips} one-byte round trips to a server whose only event
   * loop runs an endless chain of 1 ms tasks (as a long fan-out would).
   */
  private static long[] roundTripsMillis(MultiThreadIoEventLoopGroup group, int trips)
      throws Exception {
    AtomicBoolean busy = new AtomicBoolean(true);
    try {
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                      ctx.writeAndFlush(msg); // echo
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel();
      EventLoop loop = server.eventLoop();
      Runnable spin =
          new Runnable() {
            @Override
            public void run() {
              long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
              while (System.nanoTime() < end) Thread.onSpinWait();
              if (busy.get()) loop.execute(this);
            }
          };
      try (Socket socket = new Socket()) {
        socket.connect(server.localAddress());
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        socket.getOutputStream().write(1); // connected and echoing before the load starts
        assertThat(in.read()).isEqualTo(1);
        loop.execute(spin);
        long[] took = new long[trips];
        for (int i = 0; i < took.length; i++) {
          long start = System.nanoTime();
          socket.getOutputStream().write(2);
          assertThat(in.read()).isEqualTo(2);
          took[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
        Arrays.sort(took);
        return new long[] {took[took.length / 2], took[took.length - 1]};
      } finally {
        busy.set(false);
        server.close().sync();
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
