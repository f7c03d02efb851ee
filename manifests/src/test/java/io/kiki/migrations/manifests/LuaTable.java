package io.kiki.migrations.manifests;

import java.util.List;
import java.util.Map;

/**
 * Writes a parsed YAML/JSON value as a Lua table constructor, the way Argo CD hands `obj` to a
 * health script.
 */
final class LuaTable {

  private LuaTable() {}

  /**
   * @param numbersAsFloats write whole numbers as 7.0: Argo CD decodes JSON numbers to float64, so
   *     its Lua (gopher-lua) sees floats where Lua 5.4 would see integers
   */
  static String of(Object value, boolean numbersAsFloats) {
    StringBuilder lua = new StringBuilder();
    write(value, numbersAsFloats, lua);
    return lua.toString();
  }

  private static void write(Object value, boolean numbersAsFloats, StringBuilder lua) {
    if (value == null) {
      lua.append("nil");
    } else if (value instanceof Map<?, ?> map) {
      lua.append('{');
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (entry.getValue() == null) {
          continue; // JSON null decodes to nil: the key is absent
        }
        lua.append('[');
        string(String.valueOf(entry.getKey()), lua);
        lua.append("]=");
        write(entry.getValue(), numbersAsFloats, lua);
        lua.append(',');
      }
      lua.append('}');
    } else if (value instanceof List<?> list) {
      lua.append('{');
      for (Object element : list) {
        write(element, numbersAsFloats, lua);
        lua.append(',');
      }
      lua.append('}');
    } else if (value instanceof String text) {
      string(text, lua);
    } else if (value instanceof Boolean bool) {
      lua.append(bool);
    } else if (value instanceof Integer
        || value instanceof Long
        || value instanceof java.math.BigInteger) {
      lua.append(value);
      if (numbersAsFloats) {
        lua.append(".0");
      }
    } else if (value instanceof Number number) {
      double decimal = number.doubleValue();
      if (Double.isNaN(decimal) || Double.isInfinite(decimal)) {
        throw new IllegalArgumentException("not a JSON number: " + number);
      }
      lua.append(Double.toString(decimal));
    } else {
      throw new IllegalArgumentException("cannot write a " + value.getClass() + " as Lua");
    }
  }

  /**
   * A Lua string literal: printable ASCII as is, everything else as decimal byte escapes (valid in
   * 5.1 and 5.4).
   */
  private static void string(String text, StringBuilder lua) {
    lua.append('"');
    for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c == '"' || c == '\\') {
        lua.append('\\').append((char) c);
      } else if (c >= 0x20 && c < 0x7f) {
        lua.append((char) c);
      } else {
        lua.append('\\').append(String.format("%03d", c));
      }
    }
    lua.append('"');
  }
}
