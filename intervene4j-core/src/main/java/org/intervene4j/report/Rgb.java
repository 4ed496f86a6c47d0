package org.intervene4j.report;

import java.util.Locale;

/** An sRGB colour, 0..255 per channel. */
public record Rgb(int r, int g, int b) {
    public Rgb {
        if ((r | g | b) < 0 || r > 255 || g > 255 || b > 255) {
            throw new IllegalArgumentException("rgb: (" + r + ", " + g + ", " + b + ") is outside 0..255");
        }
    }

    /** {@code "#21918c"} → (33, 145, 140). */
    public static Rgb hex(String hex) {
        if (hex.length() != 7 || hex.charAt(0) != '#') throw new IllegalArgumentException("rgb: '" + hex + "' is not #rrggbb");
        int v = Integer.parseInt(hex.substring(1), 16);
        return new Rgb(v >> 16, (v >> 8) & 0xff, v & 0xff);
    }

    /** {@code #rrggbb}, lower case. */
    public String hex() {
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    /** WCAG relative luminance, 0 (black) .. 1 (white). */
    public double luminance() {
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    }

    private static double linear(int channel) {
        double c = channel / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    /** Black or white, whichever reads better on this colour as a background. */
    public Rgb textColour() {
        // contrast against black beats contrast against white above this luminance (WCAG contrast ratios meet there)
        return luminance() > 0.179 ? new Rgb(0, 0, 0) : new Rgb(255, 255, 255);
    }
}
