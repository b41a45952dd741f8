package dev.realtime.server.cli;

import picocli.CommandLine.ArgGroup;

/**
 * Where {@code emit} and {@code history} go: straight to a Redis ({@code --redis}), or through a
 * running server ({@code --url}, {@code --token}). Exactly one: picocli refuses both or neither
 * before the command runs. The Redis route is for operators next to the store; the server route
 * goes through the server's auth and validation, as an application's backend would.
 */
final class Target {
  @ArgGroup(exclusive = false, multiplicity = "1")
  RedisOption redis;

  @ArgGroup(exclusive = false, multiplicity = "1")
  ServerOption server;
}
