# Sourced by the pinbroker launchers after find-java.sh. `pinbroker_aot NAME` sets $classpath (the
# jars of this lib/ directory in C-locale order) and the array $aot: the JVM options that use
# lib/NAME.aot, the AOT cache (JDK 25, JEP 483) the build made by running NAME with that very
# classpath under the JDK named in lib/aot.jdk. A cache only works with the exact JVM build that
# made it, and if the JVM cannot use one it runs with no class-data sharing at all, not even the
# JDK's own: so the cache is used only when $java is that JDK (its path and `release` file
# unchanged), and -Xshare:auto (the JDK's default archive) otherwise. A cache the JVM still
# rejects (jars changed or copied without their times) is ignored silently: -Xlog:aot,cds off.
# PINBROKER_JAVA_OPTS with a class-data-sharing option of its own gets neither.

pinbroker_aot() {
  local LC_ALL=C jar made now
  local lib="$here/../lib"
  classpath=
  for jar in "$lib"/*.jar; do
    classpath=$classpath${classpath:+:}$jar
  done
  case " ${PINBROKER_JAVA_OPTS:-} " in
  *" -Xshare:"* | *" -XX:AOT"* | *" -XX:SharedArchiveFile="* | *" -XX:ArchiveClassesAtExit="* | \
    *" -XX:+AutoCreateSharedArchive"* | *" -XX:DumpLoadedClassList="* | *" -XX:SharedClassListFile="*)
    aot=()
    return 0
    ;;
  esac
  aot=(-Xshare:auto)
  if [ -r "$lib/$1.aot" ] && [ -r "$lib/aot.jdk" ]; then
    IFS= read -r -d '' made <"$lib/aot.jdk" || true
    IFS= read -r -d '' now <"$java_home/release" || true
    if [ "$made" = "$java"$'\n'"$now" ]; then
      aot=("-XX:AOTCache=$lib/$1.aot" '-Xlog:aot*=off,cds*=off')
    fi
  fi
}
