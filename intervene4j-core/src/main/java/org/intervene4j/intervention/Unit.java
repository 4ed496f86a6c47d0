package org.intervene4j.intervention;

/** How an intervention's rows are cut out of a site's activation. */
public enum Unit {
    /** One row per (example, position): the whole width of the site. */
    POS("pos"),
    /** One row per (example, head, position) over all of the example's positions. */
    HEAD("h"),
    /** One row per (example, head, position) at chosen positions. */
    HEAD_POS("h.pos");

    public final String key;

    Unit(String key) {
        this.key = key;
    }

    public static Unit byKey(String key) {
        for (Unit u : values()) if (u.key.equals(key)) return u;
        throw new IllegalArgumentException("unknown unit '" + key + "' (use pos, h or h.pos)");
    }
}
