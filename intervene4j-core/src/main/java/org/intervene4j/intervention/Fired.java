package org.intervene4j.intervention;

/**
 * One place where an intervention changed (or read) an activation: which spec, at which site,
 * for which example, token position and head (-1 for whole-width rows). The position is the
 * token's index in the example's whole sequence, unpadded: after a KV cache (a continuation
 * batch, or the second part of a forward cut at a column) it counts the cached tokens too.
 */
public record Fired(int spec, String site, int example, int position, int head) {
}
