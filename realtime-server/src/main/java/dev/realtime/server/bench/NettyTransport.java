package dev.realtime.server.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Epoll where the native transport loads (Linux), NIO elsewhere. */
record NettyTransport(IoHandlerFactory io, Class<? extends SocketChannel> channel) {
  static NettyTransport detect() {
    return Epoll.isAvailable()
        ? new NettyTransport(EpollIoHandler.newFactory(), EpollSocketChannel.class)
        : new NettyTransport(NioIoHandler.newFactory(), NioSocketChannel.class);
  }

  /**
   * One event-loop thread: the load generator shares the machine with the server it measures, so it
   * takes one core at most per process.
   */
  EventLoopGroup oneThread(String name) {
    return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true), io);
  }
}
