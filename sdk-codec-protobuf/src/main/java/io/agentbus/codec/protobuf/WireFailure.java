package io.agentbus.codec.protobuf;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A problem with a message on its way out of the encoder or decoder, before it becomes a {@link
 * io.agentbus.CodecException}: each content level it crosses adds its key or index, so the path is
 * built only when something fails. No stack trace: it never leaves this package.
 */
final class WireFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  /** Longest key quoted in a path. */
  private static final int KEY_LIMIT = 80;

  private final transient List<Object> reversedPath = new ArrayList<>(4);

  WireFailure(String problem) {
    super(problem, null, false, false);
  }

  WireFailure(String problem, Throwable cause) {
    super(problem, cause, false, false);
  }

  /** Translates a failure of protobuf's own reader. */
  static WireFailure of(IOException e) {
    String m = e.getMessage();
    if (!(e instanceof InvalidProtocolBufferException) || m == null) {
      return new WireFailure(m == null ? e.toString() : m, e);
    }
    // protobuf's texts address the programmer calling it; say what they mean for the bytes
    if (m.startsWith("While parsing a protocol message, the input ended unexpectedly")) {
      return new WireFailure("the input is truncated: a length or value runs past the end of the"
          + " bytes, or of the message that contains it", e);
    }
    if (m.startsWith("CodedInputStream encountered an embedded string or message which claimed"
        + " to have negative size")) {
      return new WireFailure("a length prefix is negative", e);
    }
    if (m.startsWith("Protocol message had invalid UTF-8")) {
      return new WireFailure("a string is not valid UTF-8", e);
    }
    if (m.startsWith("Protocol message had too many levels of nesting")) {
      return new WireFailure("unknown fields are nested too deeply (groups within groups)", e);
    }
    return new WireFailure(m, e);
  }

  /** The same problem, saying which field it was found in. */
  WireFailure within(String where) {
    WireFailure f = new WireFailure(getMessage() + " (in " + where + ")", getCause());
    f.reversedPath.addAll(reversedPath);
    return f;
  }

  /** Adds the key or list index of the level the failure is leaving. */
  WireFailure at(Object step) {
    reversedPath.add(step);
    return this;
  }

  /** The problem and, when it is inside the content, where: {@code ... (at content.a[2].b)}. */
  String describe() {
    if (reversedPath.isEmpty()) {
      return getMessage();
    }
    StringBuilder path = new StringBuilder();
    for (int i = reversedPath.size() - 1; i >= 0; i--) {
      Object step = reversedPath.get(i);
      if (step instanceof Integer) {
        path.append('[').append(step).append(']');
      } else {
        String key = step.toString();
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(key.length() <= KEY_LIMIT ? key : key.substring(0, KEY_LIMIT) + "...");
      }
    }
    return getMessage() + " (at " + path + ")";
  }
}
