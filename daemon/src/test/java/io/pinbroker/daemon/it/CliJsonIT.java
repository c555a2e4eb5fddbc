package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.daemon.Capability;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every {@code --json} of the packaged CLI prints one JSON text on stdout, and nothing else. */
class CliJsonIT {
  static ExternalBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = ExternalBroker.start();
    ok(broker.cli("mkdir", "-m", "0755", "/j"));
    ok(broker.cli("pin", "--memfd", "4K", "--mode", "0640", "/j/m"));
    ok(broker.cli("mkdir", "/j/d"));
    ok(broker.cli("pin", "--memfd", "1K", "/j/d/x"));
    ok(broker.cli("map", "create", "--sim", "--type", "hash", "--key-size", "4", "--value-size", "8",
        "--max-entries", "16", "--mode", "0644", "/j/sim"));
    ok(broker.cli("map", "update", "/j/sim", "01000000", "2a00000000000000"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static Proc.Result ok(Proc.Result r) {
    return MultiProcessIT.ok(r);
  }

  /** What {@code args} print: one line of JSON, with nothing on stderr. */
  private static String json(String... args) throws Exception {
    Proc.Result r = ok(broker.cli(args));
    assertEquals("", r.err(), r::toString);
    assertTrue(r.out().endsWith("\n") && r.out().indexOf('\n') == r.out().length() - 1, r::toString);
    return r.out();
  }

  @Test
  void lsAndStat() throws Exception {
    List<Map<String, Object>> ls = JsonReader.array(json("ls", "--json", "/j"));
    assertEquals(List.of("d", "m", "sim"), ls.stream().map(e -> e.get("name")).sorted().toList());
    Map<String, Object> stat = JsonReader.object(json("stat", "--json", "/j/m"));
    assertEquals("/j/m", stat.get("path"));
    assertEquals("0640", stat.get("mode"));
    assertEquals("memfd", stat.get("fd_type"));
    assertEquals(4096L, stat.get("size"));
    assertEquals("root", stat.get("user"));
    Map<String, Object> sim = JsonReader.object(json("stat", "--json", "/j/sim"));
    @SuppressWarnings("unchecked")
    Map<String, Object> details = (Map<String, Object>) sim.get("details");
    assertEquals("hash", details.get("map_type"));
    assertEquals(16L, details.get("max_entries"));
  }

  @Test
  void getShowsTheNodeAndWhatArrived() throws Exception {
    Map<String, Object> rw = JsonReader.object(json("get", "--json", "/j/m"));
    assertEquals("/j/m", rw.get("path"));
    assertEquals("reopened", rw.get("handout"));
    @SuppressWarnings("unchecked")
    Map<String, Object> fd = (Map<String, Object>) rw.get("fd");
    assertEquals(rw.get("dev") + ":" + rw.get("ino"), fd.get("identity"), "the held object arrived");
    assertEquals("read-write", fd.get("access"));
    @SuppressWarnings("unchecked")
    Map<String, Object> fdinfo = (Map<String, Object>) fd.get("fdinfo");
    assertEquals("0", fdinfo.get("pos"), fdinfo::toString);
    Map<String, Object> ro = JsonReader.object(json("get", "--ro", "--json", "/j/m"));
    assertEquals("read-only", ((Map<?, ?>) ro.get("fd")).get("access"));
  }

  @Test
  void treeNestsEntries() throws Exception {
    Map<String, Object> tree = JsonReader.object(json("tree", "--json", "/j"));
    assertEquals("/j", tree.get("path"));
    assertEquals("directory", tree.get("type"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> entries = (List<Map<String, Object>>) tree.get("entries");
    Map<String, Object> d = entries.stream().filter(e -> e.get("name").equals("d")).findFirst().orElseThrow();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> inD = (List<Map<String, Object>>) d.get("entries");
    assertEquals(1, inD.size());
    assertEquals("x", inD.get(0).get("name"));
    assertEquals("/j/d/x", inD.get(0).get("path"));
    assertEquals(1024L, inD.get(0).get("size"));
  }

  @Test
  void treeSaysWhyADirectoryCannotBeListed() throws Exception {
    Capability.requireRoot("run the CLI as uid 65534");
    Capability.requireExecutable("/usr/bin/setpriv");
    ok(broker.cli("mkdir", "-m", "0700", "/j/private"));
    try {
      Proc.Result r =
          ok(broker.as(List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"),
              "tree", "--json", "/j"));
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> entries =
          (List<Map<String, Object>>) JsonReader.object(r.out()).get("entries");
      Map<String, Object> denied =
          entries.stream().filter(e -> e.get("name").equals("private")).findFirst().orElseThrow();
      assertEquals("Permission denied", denied.get("error"), r::toString);
    } finally {
      ok(broker.cli("rmdir", "/j/private"));
    }
  }

  @Test
  void mapLookupAndDump() throws Exception {
    assertEquals(
        Map.of("key", "01000000", "value", "2a00000000000000"),
        JsonReader.object(json("map", "lookup", "--json", "/j/sim", "01000000")));
    assertEquals(
        List.of(Map.of("key", "01000000", "value", "2a00000000000000")),
        JsonReader.array(json("map", "dump", "--json", "/j/sim")));
  }

  @Test
  void namesAreEscaped() throws Exception {
    String odd = "q\"b\\s\tt";
    ok(broker.cli("pin", "--memfd", "1", "/j/d/" + odd));
    try {
      List<Map<String, Object>> ls = JsonReader.array(json("ls", "--json", "/j/d"));
      assertTrue(ls.stream().anyMatch(e -> e.get("name").equals(odd)), ls::toString);
    } finally {
      ok(broker.cli("rm", "/j/d/" + odd));
    }
  }

  @Test
  void errorsStayOnStderr() throws Exception {
    for (String[] args :
        List.of(
            new String[] {"stat", "--json", "/j/none"},
            new String[] {"get", "--json", "/j/none"},
            new String[] {"tree", "--json", "/j/none"},
            new String[] {"map", "lookup", "--json", "/j/sim", "02000000"})) {
      Proc.Result r = broker.cli(args);
      assertEquals(1, r.exit(), r::toString);
      assertEquals("", r.out(), r::toString);
      assertTrue(r.err().startsWith("pinbroker: /j/"), r::toString);
    }
  }
}
