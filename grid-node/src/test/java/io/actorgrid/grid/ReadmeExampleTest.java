package io.actorgrid.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadmeExampleTest {

  @Test
  void theEmbeddingExampleRuns(@TempDir Path dataDir) {
    List<String> out = ReadmeExample.run(dataDir.toString());
    assertEquals(
        List.of(
            "{\"name\":\"Alice B.\"} v2",
            "alice",
            "visits 1",
            "{\"name\":\"Alice B.\",\"city\":\"Lyon\"}",
            "deleted true"),
        out);
  }

  @Test
  void theReadmeShowsTheExampleAsItIsCompiled() throws IOException {
    Path source = Path.of("src/test/java/io/actorgrid/grid/ReadmeExample.java");
    List<String> lines = Files.readAllLines(source);
    int begin = indexOfMarker(lines, "// README-BEGIN");
    int end = indexOfMarker(lines, "// README-END");
    String indent = lines.get(begin).substring(0, lines.get(begin).indexOf("//"));
    String snippet =
        lines.subList(begin + 1, end).stream()
            .map(l -> l.startsWith(indent) ? l.substring(indent.length()) : l.strip())
            .collect(Collectors.joining("\n"));
    String readme = Files.readString(Path.of("../README.md"));
    assertTrue(
        readme.contains(snippet),
        "README.md must contain the example of ReadmeExample.java verbatim:\n" + snippet);
  }

  private static int indexOfMarker(List<String> lines, String marker) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError("marker " + marker + " not found");
  }
}
