package dev.realtime.server.cli;

import dev.realtime.EngineException;
import dev.realtime.Realtime;
import dev.realtime.redis.RedisEngine;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.config.ServeSettings;
import dev.realtime.server.config.Setting;
import dev.realtime.server.config.SettingsResolver;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code ./realtime serve}: the server on the in-memory engine, or on Redis with {@code --redis}.
 * Its options are generated from {@link Setting}, so flags, environment variables, the YAML file
 * and the README table cannot drift apart.
 *
 * <p>SIGTERM (and Ctrl-C) shut it down gracefully: stop accepting, tell every stream to reconnect,
 * drain, and exit 0, which is what process supervisors expect from a clean stop.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the HTTP API and Server-Sent Events.",
      "Settings come from flags, then REALTIME_* environment variables, then the YAML file of"
          + " --config, then defaults (see the README's settings table)."
    })
final class ServeCommand implements Callable<Integer> {
  /** The environment settings are read from; replaced by tests. */
  static Map<String, String> env = System.getenv();

  @CommandLine.Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "A YAML file of settings.")
  Path config;

  /** Adds one option per {@link Setting} to the {@code serve} command. */
  static void addSettingOptions(CommandLine serve) {
    CommandSpec spec = serve.getCommandSpec();
    for (Setting s : Setting.values()) {
      boolean flag = s == Setting.INSECURE;
      OptionSpec.Builder option =
          OptionSpec.builder(s.flag())
              .description(
                  s.description().replace("`", "")
                      + " (env "
                      + s.envVar()
                      + (s.defaultText() != null
                          ? "; default " + s.defaultText()
                          : s.defaultValue() != null ? "; default " + s.defaultValue() : "")
                      + ")")
              .type(String.class)
              .arity(flag ? "0..1" : "1");
      if (flag) {
        // --insecure alone is true; --insecure=false overrides REALTIME_INSECURE=true (flags win)
        option.fallbackValue("true").paramLabel("BOOLEAN");
      } else {
        option.paramLabel(s.key().toUpperCase().replace('-', '_'));
      }
      spec.addOption(option.build());
    }
  }

  @Override
  public Integer call() {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      OptionSpec option = spec.findOption(s.flag());
      if (option == null || !spec.commandLine().getParseResult().hasMatchedOption(s.flag())) {
        continue;
      }
      Object value = option.getValue();
      flags.put(s, String.valueOf(value));
    }
    ServeSettings settings;
    try {
      settings = SettingsResolver.resolve(flags, env, config);
    } catch (IllegalArgumentException e) {
      throw UserError.usage(e.getMessage());
    }
    RedisEngine engine = settings.redisUrl() == null ? null : connect(settings);
    Realtime.Builder builder = Realtime.builder().history(settings.history());
    if (engine != null) builder.engine(engine);
    Realtime realtime = builder.build();
    RealtimeServer server;
    try {
      server = RealtimeServer.builder(realtime).config(settings.server()).start();
    } catch (RuntimeException e) {
      realtime.close();
      if (engine != null) engine.close();
      throw UserError.failure(e.getMessage());
    }
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), sig -> stop.countDown());
    Signal.handle(new Signal("INT"), sig -> stop.countDown());
    var out = spec.commandLine().getOut();
    out.println(
        "realtime: serving "
            + server.url()
            + " on the "
            + (engine == null ? "in-memory engine" : "Redis engine at " + engine.location())
            + (settings.server().authEnabled() ? ", tokens required" : ", no tokens checked"));
    out.println("realtime: settings: " + settings.summary());
    out.flush();
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.println(
        "realtime: shutting down: telling "
            + server.metrics().openStreams()
            + " streams to reconnect");
    out.flush();
    boolean drained = server.shutdown();
    realtime.close();
    if (engine != null) engine.close();
    out.println(
        "realtime: stopped"
            + (drained ? "" : " (some streams or requests did not end within shutdown-timeout)"));
    out.flush();
    return 0;
  }

  private static RedisEngine connect(ServeSettings settings) {
    RedisEngine.Builder builder;
    try {
      builder = RedisEngine.builder(settings.redisUrl()).keyPrefix(settings.redisKeyPrefix());
    } catch (IllegalArgumentException e) {
      throw UserError.usage(settings.described(Setting.REDIS) + ": " + e.getMessage());
    }
    if (settings.redisCaFile() != null) {
      try {
        builder.trustedCertificates(settings.redisCaFile());
      } catch (IllegalArgumentException e) {
        throw UserError.usage(
            settings.described(Setting.REDIS_CA_FILE)
                + ": "
                + e.getMessage().replaceFirst("^trustedCertificates: ", ""));
      }
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw UserError.usage(settings.described(Setting.REDIS) + ": " + e.getMessage());
    } catch (EngineException e) {
      throw UserError.failure(RedisOption.explain(e));
    }
  }
}
