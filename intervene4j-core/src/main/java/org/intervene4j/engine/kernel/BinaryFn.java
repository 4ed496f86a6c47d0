package org.intervene4j.engine.kernel;

/** The elementwise binary arithmetic functions the kernels know. */
public enum BinaryFn {
    ADD, SUB, MUL, DIV
}
