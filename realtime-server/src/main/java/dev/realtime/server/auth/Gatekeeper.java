package dev.realtime.server.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Decides which channels a request may use: the token's grants first (when the server has a
 * secret), then the embedder's {@link Authorizer}, which may only deny or narrow further. Token
 * checks are CPU-only and run inline; the hook may block, so it runs on a virtual thread, never on
 * an event loop.
 */
public final class Gatekeeper {
  private static final Executor HOOKS = Executors.newVirtualThreadPerTaskExecutor();

  /** How long the embedder's authorizer may take by default before the request is answered. */
  public static final Duration DEFAULT_HOOK_TIMEOUT = Duration.ofSeconds(10);

  private final TokenVerifier verifier; // null: no secret, every channel granted
  private final Authorizer hook; // null: none
  private final Duration hookTimeout;

  public Gatekeeper(String secret, Authorizer hook) {
    this(secret, hook, DEFAULT_HOOK_TIMEOUT);
  }

  /**
   * @param hookTimeout how long the hook may take: past it the request is answered 503 (the hook
   *     goes on, on its virtual thread, and its late decision is dropped)
   */
  public Gatekeeper(String secret, Authorizer hook, Duration hookTimeout) {
    this.verifier = secret == null ? null : new TokenVerifier(secret);
    this.hook = hook;
    this.hookTimeout = hookTimeout;
  }

  /** What a request presents, without Netty types. */
  public record Presented(
      String method,
      String path,
      Map<String, List<String>> headers,
      Map<String, List<String>> query,
      String remoteAddress,
      String authorization,
      String tokenParam,
      String cookie) {}

  /**
   * The channels the request may use for {@code action}: {@code channels} or a subset the hook
   * narrowed them to. Completes exceptionally with an {@link AuthException} (401 or 403, or the
   * hook's status) when it may not.
   */
  public CompletableFuture<List<String>> admit(
      Presented request, Action action, List<String> channels) {
    List<String> allowed;
    Grants grants;
    try {
      grants = grants(request);
      allowed = ChannelAccess.check(grants, action, channels);
    } catch (AuthException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (hook == null) return CompletableFuture.completedFuture(allowed);
    return ask(request, action, allowed, grants, false);
  }

  /**
   * Which of {@code channels} the request may subscribe to, for listings such as {@code GET
   * /stats}: a filter rather than a refusal. The token must be valid (else 401); channels its
   * grants do not cover are left out, and the embedder's {@link Authorizer} may narrow the rest (a
   * denial leaves none).
   */
  public CompletableFuture<List<String>> visible(Presented request, List<String> channels) {
    Grants grants;
    try {
      grants = grants(request);
    } catch (AuthException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<String> allowed = channels.stream().filter(grants::canSubscribe).toList();
    if (hook == null || allowed.isEmpty()) return CompletableFuture.completedFuture(allowed);
    return ask(request, Action.SUBSCRIBE, allowed, grants, true);
  }

  /**
   * Until when, in Unix milliseconds, the request's token is accepted (its {@code exp} plus the
   * clock leeway): an open stream must not outlive it. {@link Long#MAX_VALUE} when the server
   * checks no tokens; for a request that was admitted.
   */
  public long acceptedUntilMillis(Presented request) {
    if (verifier == null) return Long.MAX_VALUE;
    Instant expires;
    try {
      expires = grants(request).expiresAt();
    } catch (AuthException e) {
      return 0; // no longer accepted
    }
    if (expires == null) return Long.MAX_VALUE;
    try {
      return Math.addExact(expires.toEpochMilli(), TokenVerifier.CLOCK_SKEW.toMillis());
    } catch (ArithmeticException farAway) {
      return Long.MAX_VALUE;
    }
  }

  private CompletableFuture<List<String>> ask(
      Presented request, Action action, List<String> allowed, Grants grants, boolean filter) {
    AuthRequest authRequest =
        new AuthRequest(
            request.method(),
            request.path(),
            request.headers(),
            request.query(),
            request.remoteAddress(),
            action,
            allowed,
            grants);
    return CompletableFuture.<List<String>>supplyAsync(
            () -> {
              AuthDecision decision;
              try {
                decision = hook.authorize(authRequest);
              } catch (Exception e) {
                // The embedder's bug, not the client's: answered 500 and logged.
                throw new CompletionException(
                    new IllegalStateException("the server's authorizer failed: " + e, e));
              }
              if (decision == null) decision = AuthDecision.allow();
              // A filter (GET /stats) lists what is left: nothing, when denied or narrowed to none.
              if (filter && (!decision.allowed() || isEmpty(decision.channels()))) return List.of();
              return ChannelAccess.applyDecision(decision, allowed);
            },
            HOOKS)
        .orTimeout(hookTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            e ->
                CompletableFuture.failedFuture(
                    e instanceof TimeoutException
                        ? AuthException.unavailable(
                            "the server's authorizer did not decide within "
                                + hookTimeout.toMillis()
                                + " ms; try again later")
                        : e));
  }

  private Grants grants(Presented request) {
    if (verifier == null) return Grants.ALL;
    boolean cookieCounts = Credentials.cookieCounts(request.method());
    String token =
        Credentials.find(
            request.authorization(), request.tokenParam(), cookieCounts ? request.cookie() : null);
    if (token == null) {
      throw new AuthException(
          401,
          cookieCounts
              ? "no token: send 'Authorization: Bearer <token>', a token query parameter or a"
                  + " realtime_token cookie"
              : "no token: send 'Authorization: Bearer <token>' or a token query parameter (the"
                  + " realtime_token cookie is taken for GET only, so that other sites cannot"
                  + " post with it)");
    }
    return verifier.verify(token);
  }

  private static boolean isEmpty(List<String> narrowed) {
    return narrowed != null && narrowed.isEmpty();
  }
}
