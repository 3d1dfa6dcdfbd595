package io.synscope.lab;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The lab's truth records as JSON lines, through jackson-databind: one record definition serves
 * both the programs that write the truth and the driver that reads it, so the two cannot drift
 * apart. Enums appear in their {@link #key} form.
 */
final class LabJson {
    /**
     * Strict on reading: every record component must be present and a number is not a string,
     * so a writer and a reader that drifted apart fail loudly instead of reading zeros.
     */
    static final ObjectMapper MAPPER = strict(JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build());

    private static ObjectMapper strict(ObjectMapper m) {
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return m;
    }

    private LabJson() {
    }

    /** An enum constant as the lab writes it: lower case, dashes, e.g. {@code reply-wait-eof}. */
    static String key(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** One JSON object on one line. */
    static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a record as JSON", e);
        }
    }

    /** Writes {@code records} to {@code file}, one JSON object a line. */
    static void writeLines(Path file, List<?> records) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Object r : records) {
            sb.append(line(r)).append('\n');
        }
        Files.writeString(file, sb.toString());
    }

    /** Every line of {@code file} as a {@code type}; no file means no records. */
    static <R> List<R> readLines(Path file, Class<R> type) throws IOException {
        List<R> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.add(MAPPER.readValue(line, type));
            }
        }
        return out;
    }
}
