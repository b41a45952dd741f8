package dev.realtime.server.auth;

/**
 * The embedder's say over each request, after the token: like the original's {@code
 * middleware({request, channels})}, it sees the request and the channels it names and returns an
 * {@link AuthDecision}.
 *
 * <p>The token's {@link Grants} have been checked before this is called, so an authorizer can only
 * deny or narrow further, never widen what the token allows. It may block (ask a database, a
 * session service): the server calls it off the event loop, on a virtual thread, once per request.
 * An exception it throws fails the request with a 500 and is logged; to refuse, return {@link
 * AuthDecision#deny(int, String)} instead.
 */
@FunctionalInterface
public interface Authorizer {
  AuthDecision authorize(AuthRequest request) throws Exception;

  /** An authorizer that allows whatever the token allows: the server's default. */
  static Authorizer allowAll() {
    return request -> AuthDecision.allow();
  }
}
