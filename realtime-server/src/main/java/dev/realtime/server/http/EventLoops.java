package dev.realtime.server.http;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import java.util.concurrent.Executor;

/**
 * The server's I/O threads. Netty lets an event loop run queued tasks for up to a second before it
 * polls its sockets again; a server fanning events out to thousands of streams always has tasks
 * queued, so requests (an emit, say) and writability changes would wait that long. These loops go
 * back to their sockets after {@link #TASK_QUANTUM_MS} of tasks.
 */
public final class EventLoops extends MultiThreadIoEventLoopGroup {
  /** How long an event loop runs queued tasks before it polls its sockets again. */
  public static final long TASK_QUANTUM_MS = 5;

  public EventLoops(int threads, IoHandlerFactory io) {
    super(threads, io);
  }

  @Override
  protected IoEventLoop newChild(Executor executor, IoHandlerFactory io, Object... args) {
    return new SingleThreadIoEventLoop(
        this, executor, io, Integer.MAX_VALUE, RejectedExecutionHandlers.reject(), TASK_QUANTUM_MS);
  }
}
