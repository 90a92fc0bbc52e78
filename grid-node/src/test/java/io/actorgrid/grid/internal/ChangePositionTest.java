package io.actorgrid.grid.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.actorgrid.grid.InvalidRequestException;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ChangePositionTest {
  @Test
  void anIdDecodesToThePositionItWasMadeOf() {
    long[] seqs = {0, 5, 1L << 40, 127, 128, 3};
    ChangePosition position = ChangePosition.of(seqs);
    assertEquals(position, ChangePosition.decode(position.encode(), 6));
    ChangePosition inside = position.with(2, 99, 3);
    ChangePosition decoded = ChangePosition.decode(inside.encode(), 6);
    assertEquals(inside, decoded);
    assertEquals(99, decoded.seq(2));
    assertEquals(3, decoded.skip(2));
    assertEquals(0, decoded.skip(1));
  }

  @Test
  void garbageAndForeignIdsAreRefused() {
    String id = ChangePosition.of(new long[] {1, 2, 3}).encode();
    assertThrows(InvalidRequestException.class, () -> ChangePosition.decode(id, 4));
    assertThrows(InvalidRequestException.class, () -> ChangePosition.decode(id + "AA", 3));
    assertThrows(
        InvalidRequestException.class,
        () -> ChangePosition.decode(id.substring(0, id.length() - 2), 3));
    assertThrows(InvalidRequestException.class, () -> ChangePosition.decode("not base64!", 3));
    assertThrows(InvalidRequestException.class, () -> ChangePosition.decode("", 3));
    String unknownFormat = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {9});
    assertThrows(InvalidRequestException.class, () -> ChangePosition.decode(unknownFormat, 3));
  }
}
