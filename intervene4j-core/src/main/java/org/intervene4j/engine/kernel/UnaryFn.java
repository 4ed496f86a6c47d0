package org.intervene4j.engine.kernel;

/**
 * The elementwise unary functions the kernels know. Two float parameters {@code p, q} carry
 * the constants of the parameterized ones (scale factor, added constant, clamp bounds).
 */
public enum UnaryFn {
    /** {@code p * x}. */
    SCALE(false),
    /** {@code x + p}. */
    ADD_SCALAR(false),
    NEG(false),
    EXP(true),
    LOG(false),
    SQRT(true),
    SQUARE(false),
    TANH(true),
    SIGMOID(true),
    RELU(true),
    /** GELU, tanh approximation. */
    GELU(false),
    /** GELU, exact erf form. */
    GELU_ERF(false),
    SILU(false),
    /** {@code min(max(x, p), q)}. */
    CLAMP(false);

    /**
     * True when the derivative is cheapest from the output y (exp, sqrt, tanh, sigmoid, relu),
     * false when backward needs the input x.
     */
    public final boolean backwardFromOutput;

    UnaryFn(boolean backwardFromOutput) {
        this.backwardFromOutput = backwardFromOutput;
    }
}
