package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.sub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * Interventions through a {@link SparseAutoencoder} (z = encode(b), x̂ = decode(z)):
 * <ul>
 *   <li>{@link #reconstruct}: {@code out = x̂}, the SAE's reconstruction in place of the
 *       activation (measures what the SAE loses). With {@code keepError} the error term
 *       {@code b − x̂} is added back as a constant: the value is b (up to rounding) while the
 *       gradient flows through the latents only, the usual set-up for latent attribution.</li>
 *   <li>{@link #patch}: interchange of chosen latents, {@code z'[L] = z_s[L]} with
 *       {@code z_s = encode(s)}, decoded with the base's reconstruction error added back:
 *       {@code out = decode(z') + (b − decode(z)) = b + (z_s[L] − z[L]) W_dec[L]}. Only the
 *       chosen latents are encoded, and with no latent chosen (or a source equal to the base)
 *       the output is exactly b.</li>
 *   <li>{@link #ablate}: {@code z'[L] = 0}, error added back: {@code out = b − z[L] W_dec[L]}.</li>
 * </ul>
 * Latents are chosen here, not through the spec's subspace (the latent space is usually
 * wider than the row), so the spec's subspace must be null. Trainable through the SAE's
 * weights when they require grad.
 */
public final class SaeIntervention implements Intervention {
    public static final String TYPE = "sae";

    /** What is done to the latents. */
    public enum Mode {
        RECONSTRUCT("reconstruct"), PATCH("patch"), ABLATE("ablate");

        public final String key;

        Mode(String key) {
            this.key = key;
        }

        static Mode byKey(String key) {
            for (Mode m : values()) if (m.key.equals(key)) return m;
            throw new IllegalArgumentException(TYPE + ": config field 'mode' must be reconstruct, patch or ablate, got '" + key + "'");
        }
    }

    private final SparseAutoencoder sae;
    private final Mode mode;
    private final int[] latents;     // PATCH, ABLATE
    private final boolean keepError; // RECONSTRUCT

    private SaeIntervention(SparseAutoencoder sae, Mode mode, int[] latents, boolean keepError) {
        if (sae == null) throw new IllegalArgumentException(TYPE + ": no sparse autoencoder given");
        if (latents != null) sae.checkLatents(latents);
        this.sae = sae;
        this.mode = mode;
        this.latents = latents;
        this.keepError = keepError;
    }

    /** Replaces the rows by their reconstruction ({@code keepError}: add the error back as a constant). */
    public static SaeIntervention reconstruct(SparseAutoencoder sae, boolean keepError) {
        return new SaeIntervention(sae, Mode.RECONSTRUCT, null, keepError);
    }

    /** Patches {@code latents} from the source, keeping the base's reconstruction error. */
    public static SaeIntervention patch(SparseAutoencoder sae, int... latents) {
        return new SaeIntervention(sae, Mode.PATCH, latents.clone(), false);
    }

    /** Zeroes {@code latents}, keeping the reconstruction error. */
    public static SaeIntervention ablate(SparseAutoencoder sae, int... latents) {
        return new SaeIntervention(sae, Mode.ABLATE, latents.clone(), false);
    }

    public SparseAutoencoder sae() {
        return sae;
    }

    public Mode mode() {
        return mode;
    }

    /** The chosen latents (PATCH, ABLATE), or null. */
    public int[] latents() {
        return latents == null ? null : latents.clone();
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        if (subspace != null) {
            throw new IllegalArgumentException(TYPE + ": choose latents with SaeIntervention.patch/ablate, not with a subspace");
        }
        sae.checkRows(base);
        switch (mode) {
            case RECONSTRUCT: {
                Tensor xHat = sae.reconstruct(base);
                return keepError ? add(xHat, sub(base, xHat).detach()) : xHat;
            }
            case PATCH: {
                if (source == null) throw new IllegalArgumentException(TYPE + ": patching latents needs source rows");
                if (latents.length == 0) return base;
                Tensor dz = sub(sae.encode(source, latents), sae.encode(base, latents)); // [n, k]
                return add(base, sae.decodePart(dz, latents));
            }
            case ABLATE: {
                if (latents.length == 0) return base;
                return sub(base, sae.decodePart(sae.encode(base, latents), latents));
            }
            default:
                throw new IllegalStateException(mode.toString());
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean needsSource() {
        return mode == Mode.PATCH;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return sae.parameters();
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", TYPE);
        c.put("mode", mode.key);
        if (latents != null) {
            List<Integer> l = new ArrayList<>();
            for (int id : latents) l.add(id);
            c.put("latents", l);
        }
        if (mode == Mode.RECONSTRUCT) c.put("keep_error", keepError);
        c.putAll(sae.config());
        c.put("trainable", sae.encoderWeight().requiresGrad());
        return c;
    }

    /** Rebuilds a saved SAE intervention (config: mode, latents or keep_error, the SAE's settings, trainable). */
    public static SaeIntervention fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        ConfigReader r = new ConfigReader(TYPE, config, params);
        r.checkType();
        Mode mode = Mode.byKey(r.string("mode"));
        SparseAutoencoder sae = SparseAutoencoder.fromConfig(TYPE, config, params, r.bool("trainable", false));
        if (mode == Mode.RECONSTRUCT) return new SaeIntervention(sae, mode, null, r.bool("keep_error", false));
        int[] ids = r.intList("latents");
        try {
            sae.checkLatents(ids);
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException(TYPE + ": config field 'latents': " + e.getMessage(), e);
        }
        return new SaeIntervention(sae, mode, ids, false);
    }
}
