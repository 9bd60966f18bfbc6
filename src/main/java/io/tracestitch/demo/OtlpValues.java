package io.tracestitch.demo;

import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** OpenTelemetry API attributes as OTLP {@code KeyValue}s, with every attribute type the API has. */
final class OtlpValues {
  private OtlpValues() {}

  static List<io.opentelemetry.proto.common.v1.KeyValue> of(Attributes attributes) {
    List<io.opentelemetry.proto.common.v1.KeyValue> converted = new ArrayList<>(attributes.size());
    attributes.forEach((key, value) -> converted.add(io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
        .setKey(key.getKey()).setValue(value(key, value)).build()));
    return converted;
  }

  private static AnyValue value(AttributeKey<?> key, Object value) {
    switch (key.getType()) {
      case STRING:
        return AnyValue.newBuilder().setStringValue((String) value).build();
      case BOOLEAN:
        return AnyValue.newBuilder().setBoolValue((Boolean) value).build();
      case LONG:
        return AnyValue.newBuilder().setIntValue((Long) value).build();
      case DOUBLE:
        return AnyValue.newBuilder().setDoubleValue((Double) value).build();
      case STRING_ARRAY:
      case BOOLEAN_ARRAY:
      case LONG_ARRAY:
      case DOUBLE_ARRAY:
        ArrayValue.Builder array = ArrayValue.newBuilder();
        for (Object element : (List<?>) value) {
          array.addValues(scalar(element));
        }
        return AnyValue.newBuilder().setArrayValue(array).build();
      case VALUE:
        return anyValue((Value<?>) value);
      default:
        // An attribute type newer than this code still reaches the span topic, as text.
        return AnyValue.newBuilder().setStringValue(String.valueOf(value)).build();
    }
  }

  private static AnyValue scalar(Object element) {
    if (element instanceof Boolean b) {
      return AnyValue.newBuilder().setBoolValue(b).build();
    }
    if (element instanceof Long l) {
      return AnyValue.newBuilder().setIntValue(l).build();
    }
    if (element instanceof Double d) {
      return AnyValue.newBuilder().setDoubleValue(d).build();
    }
    return AnyValue.newBuilder().setStringValue(String.valueOf(element)).build();
  }

  @SuppressWarnings("unchecked")
  private static AnyValue anyValue(Value<?> value) {
    switch (value.getType()) {
      case STRING:
        return AnyValue.newBuilder().setStringValue((String) value.getValue()).build();
      case BOOLEAN:
        return AnyValue.newBuilder().setBoolValue((Boolean) value.getValue()).build();
      case LONG:
        return AnyValue.newBuilder().setIntValue((Long) value.getValue()).build();
      case DOUBLE:
        return AnyValue.newBuilder().setDoubleValue((Double) value.getValue()).build();
      case BYTES:
        return AnyValue.newBuilder().setBytesValue(ByteString.copyFrom((ByteBuffer) value.getValue())).build();
      case ARRAY:
        ArrayValue.Builder array = ArrayValue.newBuilder();
        for (Value<?> element : (List<Value<?>>) value.getValue()) {
          array.addValues(anyValue(element));
        }
        return AnyValue.newBuilder().setArrayValue(array).build();
      case KEY_VALUE_LIST:
        KeyValueList.Builder list = KeyValueList.newBuilder();
        for (KeyValue entry : (List<KeyValue>) value.getValue()) {
          list.addValues(io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
              .setKey(entry.getKey()).setValue(anyValue(entry.getValue())));
        }
        return AnyValue.newBuilder().setKvlistValue(list).build();
      case EMPTY:
      default:
        return AnyValue.getDefaultInstance();
    }
  }
}
