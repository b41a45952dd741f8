# Sourced by ./realtime, ./test and .ci/run: exports JAVA_HOME pointing at a JDK 21 or newer.
# Uses JAVA_HOME when it is 21+, otherwise the newest 21+ JDK under /usr/lib/jvm (or
# /Library/Java/JavaVirtualMachines on macOS). The project compiles with --release 21.

realtime_java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

realtime_pick_jdk() {
  local best="" best_major=0 home major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(realtime_java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -ge 21 ]; then
      printf '%s\n' "$JAVA_HOME"
      return 0
    fi
  fi
  # REALTIME_JDK_DIRS (space-separated globs) replaces the usual places, for tests.
  for home in ${REALTIME_JDK_DIRS:-/usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home}; do
    [ -x "$home/bin/javac" ] || continue
    major=$(realtime_java_major "$home/bin/java")
    if [ "${major:-0}" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$home"
      best_major="$major"
    fi
  done
  if [ -z "$best" ] && [ -z "${REALTIME_JDK_DIRS:-}" ] && command -v javac >/dev/null 2>&1; then
    home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(realtime_java_major "$home/bin/java")
    [ "${major:-0}" -ge 21 ] && best="$home"
  fi
  [ -n "$best" ] || return 1
  printf '%s\n' "$best"
}

if ! REALTIME_JDK=$(realtime_pick_jdk); then
  echo "realtime needs a JDK 21 or newer and found none (JAVA_HOME and /usr/lib/jvm hold only older ones): install one, for example 'apt-get install openjdk-21-jdk-headless' or Temurin 21, or point JAVA_HOME at it." >&2
  exit 1
fi
export JAVA_HOME="$REALTIME_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
