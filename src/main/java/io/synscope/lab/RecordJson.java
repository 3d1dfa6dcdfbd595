package io.synscope.lab;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The lab's truth records as JSON, one line each, with jackson-core's streaming API: a record's
 * components are its fields, in declaration order. Supported component types: String, boolean,
 * int, long, double and their boxes (null allowed), enums (as their lower-case, dash-separated
 * names), nested records, {@code List} of any of these, and {@code Map<String, Long>}. One
 * definition per record serves both the programs that write the truth and the driver that
 * reads it, so the two cannot drift apart.
 */
final class RecordJson {
    static final JsonFactory FACTORY = new JsonFactory();

    private RecordJson() {
    }

    /** One JSON object on one line. */
    static String line(Record r) {
        StringWriter sw = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(sw)) {
            write(g, r);
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string cannot fail", e);
        }
        return sw.toString();
    }

    static void write(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof Record r) {
            g.writeStartObject();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                g.writeFieldName(c.getName());
                write(g, get(c, r));
            }
            g.writeEndObject();
        } else if (value instanceof List<?> list) {
            g.writeStartArray();
            for (Object o : list) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(e.getKey().toString());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Integer i) {
            g.writeNumber(i);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof Double d) {
            g.writeNumber(d);
        } else if (value instanceof Enum<?> e) {
            g.writeString(key(e));
        } else {
            throw new IllegalArgumentException("no JSON form for " + value.getClass());
        }
    }

    /** Every line of a JSON-lines file as a {@code type}; a missing file is an empty list. */
    static <R extends Record> List<R> readLines(Path file, Class<R> type) throws IOException {
        List<R> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.add(read(line, type));
            }
        }
        return out;
    }

    static <R extends Record> R read(String json, Class<R> type) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            p.nextToken();
            return type.cast(convert(tree(p), type));
        }
    }

    /** The value at the parser's current token as maps, lists, strings, numbers, booleans. */
    private static Object tree(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            throw new IOException("unexpected end of JSON");
        }
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, tree(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(tree(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IOException("unexpected " + t + " at "
                    + p.currentTokenLocation());
        }
    }

    private static Object convert(Object v, Type type) throws IOException {
        if (type instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            if (raw == List.class) {
                List<Object> out = new ArrayList<>();
                for (Object o : (List<?>) as(v, List.class, type)) {
                    out.add(convert(o, pt.getActualTypeArguments()[0]));
                }
                return out;
            }
            if (raw == Map.class) {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) as(v, Map.class, type)).entrySet()) {
                    out.put((String) e.getKey(), convert(e.getValue(), pt.getActualTypeArguments()[1]));
                }
                return out;
            }
            throw new IOException("unsupported type " + type);
        }
        Class<?> c = (Class<?>) type;
        if (v == null) {
            if (c.isPrimitive()) {
                throw new IOException("null for a " + c);
            }
            return null;
        }
        if (c.isRecord()) {
            Map<?, ?> m = as(v, Map.class, type);
            RecordComponent[] comps = c.getRecordComponents();
            Object[] args = new Object[comps.length];
            Class<?>[] types = new Class<?>[comps.length];
            for (int i = 0; i < comps.length; i++) {
                types[i] = comps[i].getType();
                args[i] = convert(m.get(comps[i].getName()), comps[i].getGenericType());
            }
            try {
                Constructor<?> k = c.getDeclaredConstructor(types);
                k.setAccessible(true);
                return k.newInstance(args);
            } catch (ReflectiveOperationException e) {
                throw new IOException("cannot build " + c.getSimpleName() + ": " + e, e);
            }
        }
        if (c.isEnum()) {
            String s = as(v, String.class, type);
            for (Object constant : c.getEnumConstants()) {
                if (key((Enum<?>) constant).equals(s)) {
                    return constant;
                }
            }
            throw new IOException("no " + c.getSimpleName() + " named " + s);
        }
        if (c == String.class) {
            return as(v, String.class, type);
        }
        if (c == boolean.class || c == Boolean.class) {
            return as(v, Boolean.class, type);
        }
        if (c == int.class || c == Integer.class) {
            return as(v, Number.class, type).intValue();
        }
        if (c == long.class || c == Long.class) {
            return as(v, Number.class, type).longValue();
        }
        if (c == double.class || c == Double.class) {
            return as(v, Number.class, type).doubleValue();
        }
        throw new IOException("unsupported type " + c);
    }

    private static <T> T as(Object v, Class<T> want, Type forType) throws IOException {
        if (!want.isInstance(v)) {
            throw new IOException("expected " + want.getSimpleName() + " for " + forType
                    + ", got " + v);
        }
        return want.cast(v);
    }

    private static Object get(RecordComponent c, Record r) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("reading " + c.getName(), e);
        }
    }

    /** {@code RST_LINGER0} → {@code rst-linger0}. */
    static String key(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
