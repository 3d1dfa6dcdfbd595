package io.synscope.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An event's {@code format} file (tracefs {@code events/SYSTEM/NAME/format}): its field names
 * and, from the {@code print fmt} line, the numbers → names tables of its
 * {@code __print_symbolic} fields. Enum numbers differ between kernels (the reset and drop
 * reasons grow in the middle), so a number is only ever taken from this file of this kernel:
 * for an in-kernel {@code filter}, which this kernel accepts by number only.
 *
 * @param symbols per field, its numbers and names; entries whose key is not a number (the
 *                socket states print as {@code { TCP_ESTABLISHED, "TCP_ESTABLISHED" }}) are
 *                left out: the printed text carries their names
 */
public record TraceFormat(String name, List<String> fields, Map<String, Map<Long, String>> symbols) {
    private static final Pattern FIELD = Pattern.compile("^\\s*field:([^;]*);", Pattern.MULTILINE);
    private static final Pattern SYMBOLIC = Pattern.compile("__print_symbolic\\(REC->(\\w+),");
    private static final Pattern PAIR =
            Pattern.compile("\\{\\s*(-?\\d+|0x[0-9a-fA-F]+)\\s*,\\s*\"([^\"]*)\"\\s*\\}");
    private static final Pattern NAME = Pattern.compile("^name:\\s*(\\S+)", Pattern.MULTILINE);

    public TraceFormat {
        fields = List.copyOf(fields);
        Map<String, Map<Long, String>> copy = new LinkedHashMap<>();
        symbols.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        symbols = Collections.unmodifiableMap(copy);
    }

    /** Parses the text of a format file; a file without fields gives an empty field list. */
    public static TraceFormat parse(String text) {
        Matcher n = NAME.matcher(text);
        String name = n.find() ? n.group(1) : "?";
        List<String> fields = new ArrayList<>();
        Matcher f = FIELD.matcher(text);
        while (f.find()) {
            // "const void * skbaddr", "__u8 saddr[28]", "enum sk_rst_reason reason": the last word.
            String decl = f.group(1).strip().replaceAll("\\[.*]$", "");
            fields.add(decl.substring(decl.lastIndexOf(' ') + 1).replace("*", ""));
        }
        Map<String, Map<Long, String>> symbols = new LinkedHashMap<>();
        int fmt = text.indexOf("print fmt:");
        if (fmt >= 0) {
            String print = text.substring(fmt);
            // Each table runs from its __print_symbolic( to the next one (or the end).
            Matcher s = SYMBOLIC.matcher(print);
            List<Integer> starts = new ArrayList<>();
            List<String> names = new ArrayList<>();
            while (s.find()) {
                starts.add(s.end());
                names.add(s.group(1));
            }
            for (int i = 0; i < names.size(); i++) {
                int to = i + 1 < starts.size() ? starts.get(i + 1) : print.length();
                Map<Long, String> table = new LinkedHashMap<>();
                Matcher p = PAIR.matcher(print.substring(starts.get(i), to));
                while (p.find()) {
                    try {
                        table.put(Long.decode(p.group(1)), p.group(2));
                    } catch (NumberFormatException tooLong) {
                        // Not a value an enum field holds: not a mapping to keep.
                    }
                }
                if (!table.isEmpty()) {
                    symbols.computeIfAbsent(names.get(i), k -> new LinkedHashMap<>()).putAll(table);
                }
            }
        }
        return new TraceFormat(name, fields, symbols);
    }

    public boolean hasField(String field) {
        return fields.contains(field);
    }

    /** This kernel's number for {@code name} in {@code field}'s table, if it has one. */
    public OptionalLong number(String field, String name) {
        for (Map.Entry<Long, String> e : symbols.getOrDefault(field, Map.of()).entrySet()) {
            if (e.getValue().equals(name)) {
                return OptionalLong.of(e.getKey());
            }
        }
        return OptionalLong.empty();
    }
}
