package org.intervene4j.model.common;

import com.fasterxml.jackson.databind.JsonNode;
import org.intervene4j.io.hf.HfConfig;

/**
 * Rotary inverse frequencies {@code theta^(-2i/rot)} for {@code i < rot/2}, with the
 * {@code rope_scaling} variants we implement: none, "default", "linear" (all frequencies
 * divided by the factor) and "llama3" (low frequencies divided by the factor, high ones kept,
 * a smooth blend between). Any other scaling is an error naming the field.
 */
public final class RopeFrequencies {
    private RopeFrequencies() {}

    /** Plain frequencies in double precision. */
    public static double[] base(int rot, double theta) {
        double[] f = new double[rot / 2];
        for (int i = 0; i < f.length; i++) f[i] = Math.pow(theta, -(2.0 * i) / rot);
        return f;
    }

    /**
     * The rotary base: {@code rope_parameters.rope_theta} (transformers v5), else
     * {@code rope_theta}, else {@code legacyField} when given (GPT-NeoX's {@code rotary_emb_base}),
     * else 10000.
     */
    public static double theta(HfConfig c, String legacyField) {
        JsonNode params = c.object("rope_parameters");
        if (params != null && params.has("rope_theta")) {
            JsonNode t = params.get("rope_theta");
            if (!t.isNumber() || t.asDouble() <= 0) throw c.invalid("rope_parameters.rope_theta", "must be a positive number");
            return t.asDouble();
        }
        if (c.has("rope_theta")) return c.number("rope_theta");
        if (legacyField != null && c.has(legacyField)) return c.number(legacyField);
        return 10000.0;
    }

    /**
     * Frequencies for rotary width {@code rot} and base {@code theta}, scaled per
     * {@code rope_scaling} (transformers v4) or {@code rope_parameters} (v5).
     */
    public static float[] fromConfig(HfConfig c, int rot, double theta) {
        double[] f = base(rot, theta);
        JsonNode scaling = c.object("rope_scaling");
        if (scaling == null) scaling = c.object("rope_parameters");
        if (scaling != null) {
            JsonNode typeNode = scaling.has("rope_type") ? scaling.get("rope_type") : scaling.get("type");
            String type = typeNode == null ? "default" : typeNode.asText();
            switch (type) {
                case "default" -> { }
                case "linear" -> {
                    double factor = positive(c, scaling, "factor");
                    for (int i = 0; i < f.length; i++) f[i] /= factor;
                }
                case "llama3" -> llama3(c, scaling, f);
                default -> throw c.unsupported("rope_scaling.rope_type", type, "supported: default, linear, llama3");
            }
        }
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) out[i] = (float) f[i];
        return out;
    }

    /** Llama 3.1's scaling: wavelengths beyond the original context are stretched by the factor. */
    private static void llama3(HfConfig c, JsonNode s, double[] f) {
        double factor = positive(c, s, "factor");
        double low = positive(c, s, "low_freq_factor");
        double high = positive(c, s, "high_freq_factor");
        double original = positive(c, s, "original_max_position_embeddings");
        if (high <= low) throw c.invalid("rope_scaling.high_freq_factor", "must exceed low_freq_factor");
        double lowWavelen = original / low;
        double highWavelen = original / high;
        for (int i = 0; i < f.length; i++) {
            double wavelen = 2 * Math.PI / f[i];
            if (wavelen > lowWavelen) {
                f[i] = f[i] / factor;
            } else if (wavelen >= highWavelen) {
                double smooth = (original / wavelen - low) / (high - low);
                f[i] = (1 - smooth) * f[i] / factor + smooth * f[i];
            }
        }
    }

    private static double positive(HfConfig c, JsonNode s, String field) {
        JsonNode n = s.get(field);
        if (n == null || !n.isNumber() || n.asDouble() <= 0) throw c.invalid("rope_scaling." + field, "must be a positive number");
        return n.asDouble();
    }
}
