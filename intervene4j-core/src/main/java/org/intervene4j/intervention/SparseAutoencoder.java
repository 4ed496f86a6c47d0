package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.indexSelect;
import static org.intervene4j.engine.Ops.matmul;
import static org.intervene4j.engine.Ops.mul;
import static org.intervene4j.engine.Ops.sub;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;

/**
 * A sparse autoencoder over rows of width {@code w} with {@code m} latents:
 * <pre>
 *   pre     = (x − b_dec·[subtractDecoderBias]) W_enc + b_enc        // [n, m]
 *   z       = ReLU(pre)                                              // relu
 *   z       = ReLU(pre) ⊙ H(pre − θ)                                 // jumprelu (θ [m] per latent)
 *   x̂      = z W_dec + b_dec                                        // [n, w]
 * </pre>
 * with {@code W_enc [w, m]}, {@code b_enc [m]}, {@code W_dec [m, w]}, {@code b_dec [w]}.
 * JumpReLU is the activation of Rajamanoharan et al. (2024) and Gemma Scope; subtracting
 * {@code b_dec} before encoding is the convention of Bricken et al. (2023) and several SAELens
 * checkpoints, off by default. Interventions that use it: {@link SaeIntervention}.
 *
 * <p>Gradients reach W_enc, b_enc, W_dec and b_dec (whichever require grad). The JumpReLU
 * threshold gets none: the true derivative of the step is zero almost everywhere (training θ
 * needs a straight-through estimator, which is not part of this class).
 */
public final class SparseAutoencoder {
    /** The latent nonlinearity. */
    public enum Activation {
        RELU("relu"), JUMP_RELU("jumprelu");

        public final String key;

        Activation(String key) {
            this.key = key;
        }

        static Activation byKey(String type, String key) {
            for (Activation a : values()) if (a.key.equals(key)) return a;
            throw new IllegalArgumentException(type + ": config field 'activation' must be relu or jumprelu, got '" + key + "'");
        }
    }

    private final Tensor wEnc;      // [w, m]
    private final Tensor bEnc;      // [m]
    private final Tensor wDec;      // [m, w]
    private final Tensor bDec;      // [w]
    private final Tensor threshold; // [m] (JumpReLU) or null
    private final boolean subtractDecoderBias;
    private final int width;
    private final int latents;

    private SparseAutoencoder(Tensor wEnc, Tensor bEnc, Tensor wDec, Tensor bDec, Tensor threshold, boolean subtractDecoderBias) {
        if (wEnc == null || wEnc.dim() != 2) {
            throw new IllegalArgumentException("sae: W_enc must be [w, m], got " + (wEnc == null ? "null" : Arrays.toString(wEnc.shape())));
        }
        this.width = wEnc.size(0);
        this.latents = wEnc.size(1);
        check("b_enc", bEnc, latents);
        check("W_dec", wDec, latents, width);
        check("b_dec", bDec, width);
        if (threshold != null) check("threshold", threshold, latents);
        this.wEnc = wEnc;
        this.bEnc = bEnc;
        this.wDec = wDec;
        this.bDec = bDec;
        this.threshold = threshold;
        this.subtractDecoderBias = subtractDecoderBias;
    }

    private void check(String name, Tensor t, int... shape) {
        if (t == null || !Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("sae: " + name + " must have shape " + Arrays.toString(shape) + " (width " + width
                    + ", latents " + latents + "), got " + (t == null ? "null" : Arrays.toString(t.shape())));
        }
    }

    /** A ReLU SAE. */
    public static SparseAutoencoder relu(Tensor wEnc, Tensor bEnc, Tensor wDec, Tensor bDec, boolean subtractDecoderBias) {
        return new SparseAutoencoder(wEnc, bEnc, wDec, bDec, null, subtractDecoderBias);
    }

    /** A JumpReLU SAE with per-latent thresholds {@code threshold [m]}. */
    public static SparseAutoencoder jumpRelu(Tensor wEnc, Tensor bEnc, Tensor wDec, Tensor bDec, Tensor threshold,
                                             boolean subtractDecoderBias) {
        if (threshold == null) throw new IllegalArgumentException("sae: a JumpReLU SAE needs a threshold [m]");
        return new SparseAutoencoder(wEnc, bEnc, wDec, bDec, threshold, subtractDecoderBias);
    }

    /**
     * A freshly initialised, trainable ReLU SAE: decoder rows of unit norm in random
     * directions, encoder = decoder transposed, zero biases (the common initialisation).
     */
    public static SparseAutoencoder random(Random rng, int width, int latents) {
        if (width < 1 || latents < 1) {
            throw new IllegalArgumentException("sae: width and latents must be >= 1, got " + width + ", " + latents);
        }
        Tensor dec = Tensor.randn(rng, 1f, latents, width);
        float[] d = dec.data();
        for (int j = 0; j < latents; j++) {
            double norm = 0;
            for (int i = 0; i < width; i++) norm += (double) d[j * width + i] * d[j * width + i];
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < width; i++) d[j * width + i] *= inv;
        }
        Tensor enc = dec.transpose(0, 1).persist();
        return relu(enc.requiresGrad(true), Tensor.zerosPersistent(latents).requiresGrad(true), dec.requiresGrad(true),
                Tensor.zerosPersistent(width).requiresGrad(true), false);
    }

    public int width() {
        return width;
    }

    public int latents() {
        return latents;
    }

    public Activation activation() {
        return threshold == null ? Activation.RELU : Activation.JUMP_RELU;
    }

    public boolean subtractsDecoderBias() {
        return subtractDecoderBias;
    }

    public Tensor encoderWeight() {
        return wEnc;
    }

    public Tensor encoderBias() {
        return bEnc;
    }

    public Tensor decoderWeight() {
        return wDec;
    }

    public Tensor decoderBias() {
        return bDec;
    }

    /** The JumpReLU thresholds [m], or null. */
    public Tensor threshold() {
        return threshold;
    }

    /** Latent activations {@code z [n, m]} of rows {@code x [n, w]}. */
    public Tensor encode(Tensor x) {
        checkRows(x);
        Tensor in = subtractDecoderBias ? sub(x, bDec) : x;
        return activate(add(matmul(in, wEnc), bEnc), threshold);
    }

    /**
     * The activations of the chosen latents only, {@code [n, |latents|]} (columns in the given
     * order): the same values as {@code encode(x)}'s columns, at a fraction of the cost.
     */
    public Tensor encode(Tensor x, int[] latentIds) {
        checkRows(x);
        checkLatents(latentIds);
        Tensor in = subtractDecoderBias ? sub(x, bDec) : x;
        Tensor pre = add(matmul(in, indexSelect(wEnc, 1, latentIds)), indexSelect(bEnc, 0, latentIds));
        return activate(pre, threshold == null ? null : indexSelect(threshold, 0, latentIds));
    }

    /** Rows {@code x̂ [n, w]} decoded from latents {@code z [n, m]}. */
    public Tensor decode(Tensor z) {
        if (z.dim() != 2 || z.size(1) != latents) {
            throw new IllegalArgumentException("sae: latents have shape " + Arrays.toString(z.shape()) + ", expected [n, " + latents + "]");
        }
        return add(matmul(z, wDec), bDec);
    }

    /** {@code decode(encode(x))}. */
    public Tensor reconstruct(Tensor x) {
        return decode(encode(x));
    }

    /** {@code z [n, k] W_dec[latentIds] [k, w]}: the decoder's contribution of the chosen latents, without b_dec. */
    Tensor decodePart(Tensor z, int[] latentIds) {
        return matmul(z, indexSelect(wDec, 0, latentIds));
    }

    private static Tensor activate(Tensor pre, Tensor theta) {
        Tensor z = org.intervene4j.engine.Ops.relu(pre);
        if (theta == null) return z;
        // H(pre − θ) as a constant mask: no gradient flows to θ (see the class comment).
        int n = pre.size(0);
        int k = pre.size(1);
        float[] p = pre.toFloatArray();
        float[] t = theta.toFloatArray();
        Tensor mask = Tensor.empty(n, k);
        float[] m = mask.data();
        for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) m[i * k + j] = p[i * k + j] > t[j] ? 1f : 0f;
        return mul(z, mask);
    }

    void checkRows(Tensor x) {
        if (x.dim() != 2 || x.size(1) != width) {
            throw new IllegalArgumentException("sae: rows have shape " + Arrays.toString(x.shape()) + " but the SAE has width " + width);
        }
    }

    void checkLatents(int[] ids) {
        for (int id : ids) {
            if (id < 0 || id >= latents) {
                throw new IndexOutOfBoundsException("sae: latent " + id + " is out of range (the SAE has " + latents + " latents)");
            }
        }
    }

    /** W_enc, b_enc, W_dec, b_dec and (JumpReLU) threshold, by their names in saved files. */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("W_enc", wEnc);
        p.put("b_enc", bEnc);
        p.put("W_dec", wDec);
        p.put("b_dec", bDec);
        if (threshold != null) p.put("threshold", threshold);
        return p;
    }

    /** {@code width}, {@code num_latents}, {@code activation}, {@code subtract_decoder_bias}. */
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("width", width);
        c.put("num_latents", latents);
        c.put("activation", activation().key);
        c.put("subtract_decoder_bias", subtractDecoderBias);
        return c;
    }

    /**
     * Rebuilds a saved SAE. {@code trainable} makes W_enc, b_enc, W_dec and b_dec leaves that
     * require grad.
     */
    public static SparseAutoencoder fromConfig(Map<String, Object> config, Map<String, Tensor> params, boolean trainable) {
        return fromConfig("sae", config, params, trainable);
    }

    static SparseAutoencoder fromConfig(String type, Map<String, Object> config, Map<String, Tensor> params, boolean trainable) {
        ConfigReader r = new ConfigReader(type, config, params);
        int w = r.positiveInt("width");
        int m = r.positiveInt("num_latents");
        Activation a = Activation.byKey(type, r.string("activation"));
        boolean sub = r.bool("subtract_decoder_bias", false);
        Tensor wEnc = r.tensor("W_enc", w, m).requiresGrad(trainable);
        Tensor bEnc = r.tensor("b_enc", m).requiresGrad(trainable);
        Tensor wDec = r.tensor("W_dec", m, w).requiresGrad(trainable);
        Tensor bDec = r.tensor("b_dec", w).requiresGrad(trainable);
        Tensor theta = a == Activation.JUMP_RELU ? r.tensor("threshold", m) : null;
        return new SparseAutoencoder(wEnc, bEnc, wDec, bDec, theta, sub);
    }
}
