package org.pohmelfs.gateway.webdav.lock;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The WebDAV {@code If} header (RFC 4918 section 10.4), parsed; pure.
 *
 * <pre>
 * If = ( 1*No-tag-list | 1*Tagged-list )
 * No-tag-list = List ; Tagged-list = Resource-Tag 1*List ; Resource-Tag = "&lt;" URI "&gt;"
 * List = "(" 1*Condition ")" ; Condition = ["Not"] (State-token | "[" entity-tag "]")
 * </pre>
 *
 * <p>The header is true when any list is true; a list is true when all its conditions are. A
 * state token is true when it names a live lock covering the list's resource; an entity tag
 * when it equals the resource's current tag ({@code DAV:no-lock} never matches anything).
 *
 * @param lists every list, each with its resource tag (null: the request URI)
 */
public record IfHeader(List<TaggedList> lists) {
    /** The header's limit on conditions, so a hostile header cannot make evaluation costly. */
    public static final int MAX_CONDITIONS = 64;

    public record Condition(boolean not, String stateToken, String etag) {
    }

    /** @param resource the tag's URI as written (null for an untagged list) */
    public record TaggedList(String resource, List<Condition> conditions) {
    }

    /** What the evaluator knows about one resource: its current ETag (null if none) and live lock tokens. */
    public record State(String etag, Set<String> lockTokens) {
    }

    /** Malformed If header (400). */
    public static final class Malformed extends IllegalArgumentException {
        Malformed(String message) {
            super("malformed If header: " + message);
        }
    }

    /** Every state token named anywhere in the header: the tokens the client submits. */
    public List<String> tokens() {
        Set<String> out = new LinkedHashSet<>();
        for (TaggedList l : lists) {
            for (Condition c : l.conditions()) {
                if (c.stateToken() != null && !c.stateToken().equals("DAV:no-lock")) {
                    out.add(c.stateToken());
                }
            }
        }
        return List.copyOf(out);
    }

    /** The resource tags named (distinct, in order); empty for untagged lists only. */
    public List<String> resources() {
        return lists.stream().map(TaggedList::resource).filter(java.util.Objects::nonNull).distinct().toList();
    }

    /** Evaluates the header; {@code state} answers for a resource tag (null: the request URI). */
    public boolean evaluate(java.util.function.Function<String, State> state) {
        for (TaggedList l : lists) {
            State s = state.apply(l.resource());
            boolean all = true;
            for (Condition c : l.conditions()) {
                boolean match = c.stateToken() != null
                        ? s.lockTokens().contains(c.stateToken())
                        : s.etag() != null && etagEquals(s.etag(), c.etag());
                if (match == c.not()) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static boolean etagEquals(String current, String given) {
        return strip(current).equals(strip(given));
    }

    private static String strip(String etag) {
        String e = etag.startsWith("W/") ? etag.substring(2) : etag;
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }

    /** Parses a header value; throws {@link Malformed}. */
    public static IfHeader parse(String value) {
        List<TaggedList> lists = new ArrayList<>();
        int i = 0;
        int n = value.length();
        String tag = null;
        boolean tagged = false;
        int conditions = 0;
        while (true) {
            i = skip(value, i);
            if (i >= n) {
                break;
            }
            char ch = value.charAt(i);
            if (ch == '<') {
                if (!lists.isEmpty() && !tagged) {
                    throw new Malformed("a resource tag after an untagged list");
                }
                int end = value.indexOf('>', i);
                if (end < 0) {
                    throw new Malformed("unterminated resource tag");
                }
                tag = value.substring(i + 1, end);
                tagged = true;
                i = skip(value, end + 1);
                if (i >= n || value.charAt(i) != '(') {
                    throw new Malformed("a resource tag without a list");
                }
                continue;
            }
            if (ch != '(') {
                throw new Malformed("expected '(' at " + i);
            }
            if (!lists.isEmpty() && tagged != (tag != null)) {
                throw new Malformed("mixed tagged and untagged lists");
            }
            i++;
            List<Condition> list = new ArrayList<>();
            while (true) {
                i = skip(value, i);
                if (i >= n) {
                    throw new Malformed("unterminated list");
                }
                if (value.charAt(i) == ')') {
                    i++;
                    break;
                }
                boolean not = false;
                if (value.regionMatches(true, i, "Not", 0, 3)) {
                    not = true;
                    i = skip(value, i + 3);
                    if (i >= n) {
                        throw new Malformed("Not without a condition");
                    }
                }
                char open = value.charAt(i);
                char close = open == '<' ? '>' : open == '[' ? ']' : 0;
                if (close == 0) {
                    throw new Malformed("expected '<' or '[' at " + i);
                }
                int end = value.indexOf(close, i + 1);
                if (end < 0) {
                    throw new Malformed("unterminated condition");
                }
                String body = value.substring(i + 1, end).trim();
                if (body.isEmpty()) {
                    throw new Malformed("empty condition");
                }
                list.add(open == '<' ? new Condition(not, body, null) : new Condition(not, null, body));
                if (++conditions > MAX_CONDITIONS) {
                    throw new Malformed("more than " + MAX_CONDITIONS + " conditions");
                }
                i = end + 1;
            }
            if (list.isEmpty()) {
                throw new Malformed("empty list");
            }
            lists.add(new TaggedList(tagged ? tag : null, List.copyOf(list)));
        }
        if (lists.isEmpty()) {
            throw new Malformed("no list");
        }
        return new IfHeader(List.copyOf(lists));
    }

    private static int skip(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }
}
