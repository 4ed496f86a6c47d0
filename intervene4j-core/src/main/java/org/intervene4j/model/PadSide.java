package org.intervene4j.model;

/** Where padding goes when examples of different lengths share a batch. */
public enum PadSide {
    /** Tokens start at column 0; padding fills the end (training, scoring). */
    RIGHT,
    /** Tokens end at the last column; padding fills the start (generation). */
    LEFT
}
