# Sourced by ./test (and so by .ci/run): installs what the tests need when it is missing, as root
# with apt-get (Debian/Ubuntu); elsewhere it says what to install. The JDK itself is handled by
# scripts/jdk.sh.
export DEBIAN_FRONTEND=noninteractive

realtime_apt_updated=false
realtime_apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    if [ "$realtime_apt_updated" = false ]; then
      apt-get update -qq || true
      realtime_apt_updated=true
    fi
    apt-get install -y -qq "$@" || true
  else
    echo "test: $* missing and not installable here (needs root and apt-get); install it, or the tests that need it fail" >&2
  fi
}

# A JDK 21+ for the build.
if ! (. "$(dirname "${BASH_SOURCE[0]}")/jdk.sh") >/dev/null 2>&1; then
  realtime_apt_install openjdk-21-jdk-headless
fi

# realtime-redis tests start their own redis-server (never the one on port 6379).
if ! command -v redis-server >/dev/null && [ ! -x /usr/bin/redis-server ]; then
  realtime_apt_install redis-server
fi

# RedisTlsAndAuthTest makes a throwaway CA and server certificate with the openssl command.
if ! command -v openssl >/dev/null; then
  realtime_apt_install openssl
fi

# UpstashInteropTest runs the original @upstash/realtime in Node, UpstashReactClientTest bundles its
# React client with esbuild; each runs `npm ci` in its own Node project by itself. RealtimeJsTest
# runs the browser client (clients/realtime-js) in Node 18+.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  realtime_apt_install nodejs npm
fi

# Browser tests (realtime-server, package browser) drive Debian's headless Chromium with its
# chromedriver; no test downloads a browser.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  realtime_apt_install chromium chromium-driver
fi
