package org.intervene4j.intervention;

/**
 * One place where an intervention changed (or read) an activation: which spec, at which site,
 * for which example, token position (unpadded) and head (-1 for whole-width rows).
 */
public record Fired(int spec, String site, int example, int position, int head) {
}
