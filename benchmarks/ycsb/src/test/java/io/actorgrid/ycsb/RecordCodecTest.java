package io.actorgrid.ycsb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteIterator;
import site.ycsb.RandomByteIterator;
import site.ycsb.StringByteIterator;

class RecordCodecTest {

  @Test
  void encodesFieldsAsOneJsonObjectInFieldOrder() {
    Map<String, ByteIterator> values = new LinkedHashMap<>();
    values.put("field1", new StringByteIterator("b"));
    values.put("field0", new StringByteIterator("a \"quoted\" \\ value"));

    String json = new String(RecordCodec.encode(values), StandardCharsets.UTF_8);

    assertEquals("{\"field0\":\"a \\\"quoted\\\" \\\\ value\",\"field1\":\"b\"}", json);
  }

  @Test
  void randomYcsbValuesSurviveTheRoundTrip() {
    Map<String, String> expected = new HashMap<>();
    Map<String, ByteIterator> values = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      String value = new RandomByteIterator(1024).toString();
      expected.put("field" + i, value);
      values.put("field" + i, new StringByteIterator(value));
    }

    assertEquals(expected, RecordCodec.decode(RecordCodec.encode(values)));
  }

  @Test
  void selectsTheRequestedFieldsOrAll() {
    Map<String, String> record = Map.of("field0", "a", "field1", "b");

    Map<String, ByteIterator> some = new HashMap<>();
    RecordCodec.select(record, Set.of("field1", "field9"), some);
    Map<String, ByteIterator> all = new HashMap<>();
    RecordCodec.select(record, null, all);

    assertEquals(Map.of("field1", "b"), StringByteIterator.getStringMap(some));
    assertEquals(record, StringByteIterator.getStringMap(all));
  }

  @Test
  void rejectsWhatIsNotAFlatObject() {
    assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(bytes("[1]")));
    assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(bytes("{\"a\":{}}")));
    assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(bytes("{\"a\":")));
    assertEquals(Map.of("n", "1"), RecordCodec.decode(bytes("{\"n\":1}")));
  }

  @Test
  void scanCursorIsTheListRoutesPositionAfterTheKey() {
    String cursor = ActorGridClient.cursorAfter("user42");

    assertEquals("1.", cursor.substring(0, 2));
    assertEquals("user42", new String(Base64.getUrlDecoder().decode(cursor.substring(2)), UTF8));
  }

  @Test
  void keysArePercentEncodedAsOnePathSegment() {
    assertEquals("a%2Fb%20c%2Bd", ActorGridClient.encode("a/b c+d"));
  }

  @Test
  void etcdPrefixEndIsTheFirstKeyAfterThePrefix() {
    assertArrayEquals(bytes("usertable0"), EtcdClient.prefixEnd("usertable/"));
    assertArrayEquals(bytes("b"), EtcdClient.prefixEnd("a"));
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private static byte[] bytes(String s) {
    return s.getBytes(UTF8);
  }
}
