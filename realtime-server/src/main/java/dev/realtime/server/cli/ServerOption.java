package dev.realtime.server.cli;

import dev.realtime.server.ServerConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The {@code --url URL} and {@code --token T} options of every command that talks to a running
 * server. The token may come from {@code REALTIME_TOKEN} instead, which keeps it out of shell
 * history and process listings; it is never echoed in a message.
 */
final class ServerOption {
  static final String TOKEN_VARIABLE = "REALTIME_TOKEN";

  /** Reads an environment variable; tests replace it, as a process's environment is fixed. */
  static volatile Function<String, String> environment = System::getenv;

  @Option(
      names = "--url",
      required = true,
      paramLabel = "URL",
      description =
          "The running server: http://host:port (the API's path "
              + ServerConfig.DEFAULT_BASE_PATH
              + " is added) or the API's full URL, like https://example.com/api/realtime.")
  String url;

  @Option(
      names = "--token",
      paramLabel = "T",
      description =
          "The token, sent as 'Authorization: Bearer T' (default: the "
              + TOKEN_VARIABLE
              + " environment variable). Needed when the server has a secret.")
  String token;

  ServerClient connect() {
    return new ServerClient(url, base(url), token());
  }

  /** The token of {@code --token}, else of {@code REALTIME_TOKEN}, else null. */
  String token() {
    String t = token != null ? token : environment.apply(TOKEN_VARIABLE);
    if (t == null || t.isBlank()) return null;
    t = t.strip();
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c <= ' ' || c >= 127) {
        throw UserError.usage(
            "the token (from "
                + (token != null ? "--token" : TOKEN_VARIABLE)
                + ") holds a space, a control or a non-ASCII character at position "
                + (i + 1)
                + ": give the token exactly as it was minted (a JWT like eyJ...)");
      }
    }
    return t;
  }

  /**
   * The API's base URL, without a trailing slash: the URL's path when it has one (a server with
   * another base path), else {@link ServerConfig#DEFAULT_BASE_PATH}.
   */
  static URI base(String url) {
    String accepted =
        ": give http://host:port or https://host:port, optionally with the API's path (like"
            + " http://127.0.0.1:8080 or http://127.0.0.1:8080/api/realtime)";
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw UserError.usage("--url '" + url + "' is not a URL (" + e.getReason() + ")" + accepted);
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null) {
      throw UserError.usage("--url '" + url + "' is not an http:// or https:// URL" + accepted);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getUserInfo() != null) {
      throw UserError.usage(
          "--url '" + url + "' has a user, a ?query or a #fragment, which are not used" + accepted);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
    if (path.isEmpty()) path = ServerConfig.DEFAULT_BASE_PATH;
    return URI.create(scheme.toLowerCase() + "://" + uri.getRawAuthority() + path);
  }
}
