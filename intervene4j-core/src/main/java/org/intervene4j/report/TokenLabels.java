package org.intervene4j.report;

/**
 * Token texts made visible for axis labels: a space shows as {@code ␣}, a newline as
 * {@code ↵}, a tab as {@code ⇥}, other control characters as {@code \\uXXXX}; an empty token
 * as {@code ∅}. The result is plain text (escape it before putting it in HTML).
 */
public final class TokenLabels {
    private TokenLabels() {}

    /** The whole token, with invisible characters made visible. */
    public static String visible(String token) {
        if (token.isEmpty()) return "∅";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            switch (c) {
                case ' ' -> sb.append('␣');
                case '\n' -> sb.append('↵');
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append('⇥');
                default -> {
                    if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.toString();
    }

    /** {@link #visible}, cut to at most {@code max} code points with a trailing {@code …} when longer. */
    public static String abbreviated(String token, int max) {
        String v = visible(token);
        if (v.codePointCount(0, v.length()) <= max) return v;
        return v.substring(0, v.offsetByCodePoints(0, max - 1)) + "…";
    }
}
