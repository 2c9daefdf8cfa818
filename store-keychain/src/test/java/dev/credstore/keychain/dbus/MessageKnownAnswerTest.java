package dev.credstore.keychain.dbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The wire format, byte for byte. The little-endian replies are what dbus-daemon 1.16 sent to
 * dbus-send (captured with {@code dbus-monitor --binary}); the call bytes are dbus-send's own with
 * the bus-added sender field removed and {@link Message#NO_AUTO_START} set; the big-endian
 * vectors come from an independent marshaller that reproduces the captured little-endian bytes
 * exactly. Negative vectors are these with one fault each.
 */
class MessageKnownAnswerTest {

  private static final HexFormat HEX = HexFormat.of();

  static final String HELLO_CALL = "6c01020100000000010000006d00000001016f00150000002f6f72672f66"
      + "7265656465736b746f702f4442757300000002017300140000006f72672e667265656465736b746f702e4442"
      + "757300000000030173000500000048656c6c6f00000006017300140000006f72672e667265656465736b746f"
      + "702e4442757300000000";
  static final String NAME_HAS_OWNER_CALL = "6c0102011c000000020000007f00000001016f0015000000"
      + "2f6f72672f667265656465736b746f702f4442757300000002017300140000006f72672e667265656465736b"
      + "746f702e4442757300000000030173000c0000004e616d654861734f776e6572000000000601730014000000"
      + "6f72672e667265656465736b746f702e44427573000000000801670001730000170000006f72672e66726565"
      + "6465736b746f702e7365637265747300";
  static final String SEARCH_ITEMS_CALL = "6c0102013c00000003000000ab00000001016f002800000"
      + "02f6f72672f667265656465736b746f702f736563726574732f616c69617365732f64656661756c7400000000"
      + "0000000002017300210000006f72672e667265656465736b746f702e5365637265742e436f6c6c6563746"
      + "96f6e00000000000000030173000b0000005365617263684974656d73000000000006017300170000006f72"
      + "672e667265656465736b746f702e73656372657473000801670005617b73737d00000000000034000000000"
      + "00000070000007365727669636500020000006b3600000000000008000000757365726e616d650000000007"
      + "00000064656661756c7400";

  static final String HELLO_REPLY_LE = "6c02010109000000010000003d00000006017300040000003a312e31"
      + "000000000501750001000000080167000173000007017300140000006f72672e667265656465736b746f702e"
      + "4442757300000000040000003a312e3100";
  static final String HELLO_REPLY_BE = "4202010100000009000000010000003d06017300000000043a312e31"
      + "000000000501750000000001080167000173000007017300000000146f72672e667265656465736b746f702e"
      + "4442757300000000000000043a312e3100";
  static final String NAME_HAS_OWNER_REPLY_LE = "6c02010104000000030000003d0000000601730004000000"
      + "3a312e31000000000501750002000000080167000162000007017300140000006f72672e6672656564657"
      + "36b746f702e444275730000000000000000";
  static final String NAME_HAS_OWNER_REPLY_BE = "4202010100000004000000030000003d0601730000000004"
      + "3a312e31000000000501750000000002080167000162000007017300000000146f72672e6672656564657"
      + "36b746f702e444275730000000000000000";
  static final String SEARCH_REPLY_LE = "6c02000164000000090000002d0000000501750003000000060173"
      + "00040000003a312e31000000000801670002616f0007017300040000003a312e3500000000600000002b0000"
      + "002f6f72672f667265656465736b746f702f736563726574732f636f6c6c656374696f6e2f6c6f67696e2f31"
      + "002b0000002f6f72672f667265656465736b746f702f736563726574732f636f6c6c656374696f6e2f6c6f67"
      + "696e2f3700";
  static final String SEARCH_REPLY_BE = "4202000100000064000000090000002d0501750000000003060173"
      + "00000000043a312e31000000000801670002616f0007017300000000043a312e350000000000000060000000"
      + "2b2f6f72672f667265656465736b746f702f736563726574732f636f6c6c656374696f6e2f6c6f67696e2f31"
      + "000000002b2f6f72672f667265656465736b746f702f736563726574732f636f6c6c656374696f6e2f6c6f67"
      + "696e2f3700";

  @Test
  void hello_isEncodedAsSpecified_withNoAutoStart() {
    assertArrayEquals(HEX.parseHex(HELLO_CALL), Message.methodCall(1, BusConnection.BUS_NAME,
        BusConnection.BUS_PATH, BusConnection.BUS_NAME, "Hello", "", List.of()));
  }

  @Test
  void nameHasOwner_isDbusSendsCall_withNoAutoStart() {
    assertArrayEquals(HEX.parseHex(NAME_HAS_OWNER_CALL), Message.methodCall(2,
        BusConnection.BUS_NAME, BusConnection.BUS_PATH, BusConnection.BUS_NAME, "NameHasOwner",
        "s", List.of(SecretService.SERVICE_NAME)));
  }

  @Test
  void searchItems_encodesTheAttributeDictionary() {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("service", "k6");
    attributes.put("username", "default");
    assertArrayEquals(HEX.parseHex(SEARCH_ITEMS_CALL), Message.methodCall(3,
        SecretService.SERVICE_NAME, SecretService.DEFAULT_COLLECTION,
        SecretService.COLLECTION_IFACE, "SearchItems", "a{ss}", List.of(attributes)));
  }

  @Test
  void helloReply_parsesInBothByteOrders() throws Exception {
    for (String hex : List.of(HELLO_REPLY_LE, HELLO_REPLY_BE)) {
      Message reply = Message.parse(HEX.parseHex(hex));
      assertEquals(Message.METHOD_RETURN, reply.type());
      assertEquals(1, reply.replySerial());
      assertEquals("org.freedesktop.DBus", reply.sender());
      assertEquals("s", reply.signature());
      assertEquals(List.of(":1.1"), reply.body());
    }
  }

  @Test
  void nameHasOwnerReply_parsesInBothByteOrders() throws Exception {
    for (String hex : List.of(NAME_HAS_OWNER_REPLY_LE, NAME_HAS_OWNER_REPLY_BE)) {
      Message reply = Message.parse(HEX.parseHex(hex));
      assertEquals(2, reply.replySerial());
      assertEquals(List.of(false), reply.body());
    }
  }

  @Test
  void searchItemsReply_parsesInBothByteOrders() throws Exception {
    for (String hex : List.of(SEARCH_REPLY_LE, SEARCH_REPLY_BE)) {
      Message reply = Message.parse(HEX.parseHex(hex));
      assertEquals(3, reply.replySerial());
      assertEquals(List.of(List.of("/org/freedesktop/secrets/collection/login/1",
          "/org/freedesktop/secrets/collection/login/7")), reply.body());
    }
  }

  @Test
  void encoderAndParser_agreeInBothByteOrders() throws Exception {
    for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
      byte[] reply = Message.methodReturn(order, 9, 3, ":1.1", "ao",
          List.of(List.of("/org/freedesktop/secrets/collection/login/1",
              "/org/freedesktop/secrets/collection/login/7")));
      assertArrayEquals(HEX.parseHex(order == ByteOrder.BIG_ENDIAN
          ? SEARCH_REPLY_BE.replace("07017300000000043a312e3500000000", "")
              .replace("0000002d", "00000020") : SEARCH_REPLY_LE
              .replace("07017300040000003a312e3500000000", "")
              .replace("2d000000", "20000000")), reply, order.toString());
    }
  }

  @Test
  void negativeVectors_areEachRefusedWithAClearReason() {
    List<String> failures = new ArrayList<>();
    byte[] good = HEX.parseHex(SEARCH_REPLY_LE);
    refuse(failures, "bad endianness byte", patch(good, 0, 'x'), "endianness");
    refuse(failures, "protocol version 2", patch(good, 3, 2), "version");
    refuse(failures, "truncated by one byte", Arrays.copyOf(good, good.length - 1), "bytes");
    refuse(failures, "one trailing byte", Arrays.copyOf(good, good.length + 1), "bytes");
    // The body length field claims 2 GiB: refused from the 16 fixed bytes, nothing allocated.
    refuse(failures, "2 GiB body", patchInt(good, 4, 0x7fffffff), "larger than the limit");
    // The array of paths claims more bytes than are left.
    int arrayLength = good.length - 100; // offset of the body's array length (0x60)
    refuse(failures, "array overruns", patchInt(good, arrayLength, 0x61), "");
    // A string length of 2^31 inside the body.
    refuse(failures, "string overruns", patchInt(good, arrayLength + 4, 0x7fffffff), "overruns");
    refuse(failures, "serial 0", patchInt(good, 8, 0), "serial 0");
    // Bytes 61-63 pad the header fields (which end at 16 + 45) to the body at 64.
    refuse(failures, "non-zero padding", patch(good, 62, 1), "padding");
    refuse(failures, "invalid object path", patch(good, arrayLength + 8 + 1, '-'), "object path");
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void replyWithAnotherSignature_thanTheCallExpects_isMalformed() throws Exception {
    // NameHasOwner answered with a string: the parser accepts the message, the call must not.
    Message reply = Message.parse(HEX.parseHex(HELLO_REPLY_LE));
    assertEquals("s", reply.signature());
    MalformedMessageException e = assertThrows(MalformedMessageException.class,
        () -> Signatures.checkSingle("(s"));
    assertTrue(e.getMessage().contains("struct"), e.getMessage());
  }

  private static void refuse(List<String> failures, String what, byte[] bytes, String reason) {
    try {
      Message.parse(bytes);
      failures.add(what + ": accepted");
    } catch (MalformedMessageException e) {
      if (!e.getMessage().contains(reason)) {
        failures.add(what + ": refused for another reason: " + e.getMessage());
      }
    } catch (RuntimeException e) {
      failures.add(what + ": " + e);
    }
  }

  private static byte[] patch(byte[] bytes, int at, int value) {
    byte[] copy = bytes.clone();
    copy[at] = (byte) value;
    return copy;
  }

  private static byte[] patchInt(byte[] bytes, int at, int value) {
    byte[] copy = bytes.clone();
    java.nio.ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    return copy;
  }
}
