# Sourced by the pinbroker launchers. Sets $java to a java launcher of version 25 or newer (and
# $java_home to its JDK), looking in $PINBROKER_JAVA_HOME, $JAVA_HOME, the java on PATH, then /usr/lib/jvm/*.
# Reads each JDK's `release` file instead of starting a JVM.

pinbroker_java_major() {
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null
}

pinbroker_find_java() {
  path_java=$(command -v java 2>/dev/null || true)
  path_home=
  if [ -n "$path_java" ]; then
    path_home=$(dirname "$(dirname "$(readlink -f "$path_java")")")
  fi
  for home in "${PINBROKER_JAVA_HOME:-}" "${JAVA_HOME:-}" "$path_home" /usr/lib/jvm/*; do
    [ -n "$home" ] && [ -x "$home/bin/java" ] || continue
    major=$(pinbroker_java_major "$home")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      java="$home/bin/java"
      java_home=$home
      return 0
    fi
  done
  echo "pinbroker: no JDK 25 or newer found; set PINBROKER_JAVA_HOME" >&2
  exit 3
}

pinbroker_find_java
